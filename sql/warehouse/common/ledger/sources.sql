-- The source the warehouse is bound to: that of its latest run that loaded files or found nothing
-- new (a failed run binds nothing; a rebinding run may find every file unchanged), and how many
-- file loads the ledger holds.
SELECT r.source, r.finished_at, (SELECT COUNT(*) FROM loaded_files) AS files
FROM pipeline_runs AS r
WHERE r.status IN ('succeeded', 'skipped') AND r.source IS NOT NULL
ORDER BY r.finished_at DESC
LIMIT 1
