CREATE TABLE IF NOT EXISTS songplays (
    songplay_id BIGINT NOT NULL PRIMARY KEY,
    start_time TIMESTAMP NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    level VARCHAR(16) NOT NULL,
    song_id VARCHAR(32),
    artist_id VARCHAR(32),
    session_id BIGINT NOT NULL,
    location VARCHAR(1024),
    user_agent VARCHAR(1024)
)
DISTSTYLE KEY
DISTKEY (user_id)
COMPOUND SORTKEY (start_time)
