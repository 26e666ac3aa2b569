-- Dimension: one row per song, with the song record's own artist_name (used for play matching); year NULL
-- when unknown.
-- DISTSTYLE ALL: the song catalogue is a dimension of tens of thousands to a few million rows, joined to
-- songplays by song_id and read whole by export_catalogue. songplays cannot be distributed on song_id (NULL
-- for every unmatched play: one hot slice), so a replicated copy is what keeps the songplays-songs join
-- local. Past a few million songs switch to DISTKEY(song_id). SORTKEY(song_id): the merge and the play
-- matching join on it.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "songs" (
    "song_id" VARCHAR(32) NOT NULL,
    "title" VARCHAR(1024) NOT NULL,
    "artist_id" VARCHAR(32) NOT NULL,
    "artist_name" VARCHAR(1024) NOT NULL,
    "year" INTEGER,
    "duration" DOUBLE PRECISION NOT NULL,
    PRIMARY KEY ("song_id")
)
DISTSTYLE ALL
SORTKEY ("song_id")
