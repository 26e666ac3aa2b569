-- Redshift copy of ../../common/schema/users.sql (keep the columns in step with it).
-- DISTSTYLE ALL: a few thousand users, joined to every songplays row (level, gender analyses);
-- replicated, the join stays local on every slice.
-- SORTKEY(user_id): the merge joins on it.
-- Dimension: one row per user; level from the user's most recent event, level_ts that event's time.
CREATE TABLE IF NOT EXISTS users (
    user_id VARCHAR(64) NOT NULL PRIMARY KEY,
    first_name VARCHAR(256),
    last_name VARCHAR(256),
    gender VARCHAR(16),
    level VARCHAR(16) NOT NULL,
    level_ts TIMESTAMP NOT NULL
)
DISTSTYLE ALL
SORTKEY (user_id)
