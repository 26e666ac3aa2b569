-- Dimension: one row per artist (the variant rule is in sql/transform/artists.sql); location NULL when
-- unknown.
-- DISTSTYLE ALL: a small, slowly changing dimension joined to songplays and songs by artist_id: a full copy
-- on every node makes those joins local whatever the fact table is distributed on. SORTKEY(artist_id): the
-- merge and point lookups join and filter on the key.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "artists" (
    "artist_id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(1024),
    "location" VARCHAR(1024),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    PRIMARY KEY ("artist_id")
)
DISTSTYLE ALL
SORTKEY ("artist_id")
