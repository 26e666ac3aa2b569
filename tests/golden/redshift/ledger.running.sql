SELECT run_id, started_at, source, first_day, last_day
FROM pipeline_runs
WHERE status = 'running'
ORDER BY started_at DESC
