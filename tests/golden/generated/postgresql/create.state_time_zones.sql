-- The IANA time zone of each US state code (music_analytics.timezones), rewritten by every schema check.
CREATE TABLE IF NOT EXISTS "state_time_zones" (
    "state" VARCHAR(8) NOT NULL,
    "time_zone" VARCHAR(64) NOT NULL
)
