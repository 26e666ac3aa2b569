-- A run's ledger row is replaced, not updated, when it ends: the new row comes as one bulk insert.
DELETE FROM pipeline_runs WHERE run_id = {{run_id}}
