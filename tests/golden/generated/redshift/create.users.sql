-- Dimension: one row per user; level from the user's most recent event, level_ts that event's time.
-- DISTSTYLE ALL: a few thousand users, joined to every songplays row (level, gender analyses): replicated,
-- the join stays local on every slice. SORTKEY(user_id): the merge joins on it.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "users" (
    "user_id" VARCHAR(64) NOT NULL,
    "first_name" VARCHAR(256),
    "last_name" VARCHAR(256),
    "gender" VARCHAR(16),
    "level" VARCHAR(16) NOT NULL,
    "level_ts" TIMESTAMP NOT NULL,
    PRIMARY KEY ("user_id")
)
DISTSTYLE ALL
SORTKEY ("user_id")
