CREATE TABLE IF NOT EXISTS events (
    event_id BIGINT NOT NULL PRIMARY KEY,
    start_time TIMESTAMP NOT NULL,
    ts BIGINT NOT NULL,
    user_id VARCHAR(64),
    session_id BIGINT NOT NULL,
    item_in_session INTEGER NOT NULL,
    page VARCHAR(64) NOT NULL,
    auth VARCHAR(32),
    level VARCHAR(16),
    method VARCHAR(8),
    status INTEGER,
    location VARCHAR(1024),
    user_agent VARCHAR(1024),
    registration_time TIMESTAMP,
    song VARCHAR(1024),
    artist VARCHAR(1024),
    length DOUBLE PRECISION
)
DISTSTYLE KEY
DISTKEY (user_id)
COMPOUND SORTKEY (start_time)
