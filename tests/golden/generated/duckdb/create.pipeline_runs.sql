-- Run ledger: one row per pipeline run (a backfill writes one per day). Written as 'running' when the run
-- starts and replaced with its outcome when it ends, so a run that died shows up.
CREATE TABLE IF NOT EXISTS "pipeline_runs" (
    "run_id" VARCHAR(64) NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP,
    "status" VARCHAR(16) NOT NULL,
    "first_day" DATE,
    "last_day" DATE,
    "source" VARCHAR(1024),
    "engine" VARCHAR(16),
    "files_loaded" BIGINT,
    "files_unchanged" BIGINT,
    "events_read" BIGINT,
    "events_rejected" BIGINT,
    "songs_read" BIGINT,
    "songs_rejected" BIGINT,
    "songplays_inserted" BIGINT,
    "songplays_updated" BIGINT,
    "seconds" DOUBLE PRECISION,
    "stage_seconds" VARCHAR(4096),
    "error" VARCHAR(4096)
)
