-- DuckDB copy without PRIMARY KEY: its index maintenance made merges 4x slower; the merge never
-- inserts a key twice (NOT EXISTS). Keep the columns in step with ../../common/schema/.
-- Dimension: one row per artist (the variant rule is in sql/transform/artists.sql); location NULL
-- when unknown.
CREATE TABLE IF NOT EXISTS artists (
    artist_id VARCHAR(32) NOT NULL,
    name VARCHAR(1024),
    location VARCHAR(1024),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION
)
