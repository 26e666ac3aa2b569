-- Dimension: one row per artist (the variant rule is in sql/transform/artists.sql); location NULL when
-- unknown.
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "artists" (
    "artist_id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(1024),
    "location" VARCHAR(1024),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION
)
