CREATE TABLE IF NOT EXISTS staging.events_raw (
    artist VARCHAR(1024),
    auth VARCHAR(32),
    first_name VARCHAR(256),
    gender VARCHAR(16),
    item_in_session BIGINT,
    last_name VARCHAR(256),
    length DOUBLE PRECISION,
    level VARCHAR(16),
    location VARCHAR(1024),
    method VARCHAR(16),
    page VARCHAR(64),
    registration DOUBLE PRECISION,
    session_id BIGINT,
    song VARCHAR(1024),
    status INTEGER,
    ts BIGINT,
    user_agent VARCHAR(1024),
    user_id VARCHAR(64)
)
DISTSTYLE EVEN
