-- Dimension: one row per user; level from the user's most recent event, level_ts that event's time.
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "users" (
    "user_id" VARCHAR(64) NOT NULL,
    "first_name" VARCHAR(256),
    "last_name" VARCHAR(256),
    "gender" VARCHAR(16),
    "level" VARCHAR(16) NOT NULL,
    "level_ts" TIMESTAMP NOT NULL
)
