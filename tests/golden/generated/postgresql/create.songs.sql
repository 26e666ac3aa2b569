-- Dimension: one row per song, with the song record's own artist_name (used for play matching); year NULL
-- when unknown.
CREATE TABLE IF NOT EXISTS "songs" (
    "song_id" VARCHAR(32) NOT NULL,
    "title" VARCHAR(1024) NOT NULL,
    "artist_id" VARCHAR(32) NOT NULL,
    "artist_name" VARCHAR(1024) NOT NULL,
    "year" INTEGER,
    "duration" DOUBLE PRECISION NOT NULL,
    PRIMARY KEY ("song_id")
)
