-- Which migrations (MIGRATIONS below) this warehouse has: a table created in its current shape records them
-- at once, an older table gets them applied.
-- DISTSTYLE ALL: a handful of rows, read once per run.
CREATE TABLE IF NOT EXISTS "schema_migrations" (
    "id" VARCHAR(128) NOT NULL,
    "applied_at" TIMESTAMP NOT NULL
)
DISTSTYLE ALL
SORTKEY ("id")
