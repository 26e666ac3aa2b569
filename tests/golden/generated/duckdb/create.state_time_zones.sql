-- The IANA time zone of each US state code (music_analytics.timezones), rewritten by every schema check.
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "state_time_zones" (
    "state" VARCHAR(8) NOT NULL,
    "time_zone" VARCHAR(64) NOT NULL
)
