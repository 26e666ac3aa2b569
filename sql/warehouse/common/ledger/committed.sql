-- Whether a run's merge committed: its file rows are written in the merge transaction (a lake
-- batch left by that run is then published; one of a run that failed is not).
SELECT COUNT(*) FROM loaded_files WHERE run_id = {{run_id}}
