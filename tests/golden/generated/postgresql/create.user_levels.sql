-- Level history (SCD type 2): one row per user and stretch of time at one level, from the level logged on
-- each of the user's events in time order; valid_to is the next stretch's valid_from (exclusive), NULL for
-- the current row. The current row's level is users.level.
CREATE TABLE IF NOT EXISTS "user_levels" (
    "user_id" VARCHAR(64) NOT NULL,
    "level" VARCHAR(16) NOT NULL,
    "valid_from" TIMESTAMP NOT NULL,
    "valid_to" TIMESTAMP,
    "is_current" BOOLEAN NOT NULL
)
