-- Which stepwise run (the Airflow DAG, one process per task) has the warehouse between its tasks: at most one
-- row. The pipeline lock is held by a process; this row keeps a run's turn from its first task to its last,
-- so no other run stages or merges in between.
CREATE TABLE IF NOT EXISTS "pipeline_lease" (
    "run_id" VARCHAR(64) NOT NULL,
    "owner" VARCHAR(256) NOT NULL,
    "taken_at" TIMESTAMP NOT NULL,
    "renewed_at" TIMESTAMP NOT NULL
)
