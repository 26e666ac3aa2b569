-- The IANA time zone of each US state code (music_analytics.timezones), rewritten by every schema check.
-- DISTSTYLE ALL: fifty-odd rows joined to sessions: replicated.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "state_time_zones" (
    "state" VARCHAR(8) NOT NULL,
    "time_zone" VARCHAR(64) NOT NULL
)
DISTSTYLE ALL
SORTKEY ("state")
