SELECT r.source, r.finished_at, (SELECT COUNT(*) FROM loaded_files) AS files
FROM pipeline_runs AS r
WHERE r.status IN ('succeeded', 'skipped') AND r.source IS NOT NULL
ORDER BY r.finished_at DESC
LIMIT 1
