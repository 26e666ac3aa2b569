-- The classic Sparkify staging table: raw song records exactly as the JSON holds them, loaded by
-- COPY ... FORMAT AS JSON with jsonpaths/songs_raw.json (fields in this column order).
CREATE TABLE IF NOT EXISTS staging.songs_raw (
    num_songs INTEGER,
    artist_id VARCHAR(32),
    artist_latitude DOUBLE PRECISION,
    artist_longitude DOUBLE PRECISION,
    artist_location VARCHAR(1024),
    artist_name VARCHAR(1024),
    song_id VARCHAR(32),
    title VARCHAR(1024),
    duration DOUBLE PRECISION,
    year INTEGER
)
DISTSTYLE EVEN
