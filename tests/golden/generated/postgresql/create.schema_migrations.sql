-- Which migrations (MIGRATIONS below) this warehouse has: a table created in its current shape records them
-- at once, an older table gets them applied.
CREATE TABLE IF NOT EXISTS "schema_migrations" (
    "id" VARCHAR(128) NOT NULL,
    "applied_at" TIMESTAMP NOT NULL
)
