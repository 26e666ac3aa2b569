-- One row per session of a known user: from its first event to the end of its last song (minutes), its plays,
-- skips and events (pages), and the level, device (user_agent), place and time zone of its first event.
-- time_zone from the location's state (music_analytics.timezones), UTC when unknown (time_zone_known false);
-- local_start_time is start_time in that zone.
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "sessions" (
    "user_id" VARCHAR(64) NOT NULL,
    "session_id" BIGINT NOT NULL,
    "start_time" TIMESTAMP NOT NULL,
    "end_time" TIMESTAMP NOT NULL,
    "minutes" DOUBLE PRECISION NOT NULL,
    "plays" BIGINT NOT NULL,
    "skips" BIGINT NOT NULL,
    "pages" BIGINT NOT NULL,
    "level_at_start" VARCHAR(16) NOT NULL,
    "user_agent" VARCHAR(1024),
    "location" VARCHAR(1024),
    "time_zone" VARCHAR(64) NOT NULL,
    "time_zone_known" BOOLEAN NOT NULL,
    "local_start_time" TIMESTAMP NOT NULL
)
