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
