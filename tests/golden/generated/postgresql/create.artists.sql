-- Dimension: one row per artist (the variant rule is in sql/transform/artists.sql); location NULL when
-- unknown.
CREATE TABLE IF NOT EXISTS "artists" (
    "artist_id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(1024),
    "location" VARCHAR(1024),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    PRIMARY KEY ("artist_id")
)
