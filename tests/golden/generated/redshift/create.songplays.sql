-- Fact: one row per NextSong event of a known user; songplay_id is derived from the event's natural key
-- (userId, sessionId, itemInSession, ts). song_id/artist_id are NULL when unmatched.
-- DISTSTYLE KEY: not song_id (NULL for every unmatched play, which would put most rows on one slice) and not
-- songplay_id (a hash: even, but collocates nothing). user_id collocates the per-user and per-session
-- analyses (GROUP BY / window by user_id, session_id); the dimensions it joins (users, songs, artists) are
-- DISTSTYLE ALL, so those joins stay local. The merge matches on songplay_id: its delta (one run's new or
-- changed plays) is small and is moved. SORTKEY(start_time): plays arrive in time order, so new days append
-- in sort order and date-range queries skip blocks. No IDENTITY column: songplay_id is a hash of the natural
-- key, computed by the transform, so reloads find the same id.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "songplays" (
    "songplay_id" BIGINT NOT NULL,
    "start_time" TIMESTAMP NOT NULL,
    "user_id" VARCHAR(64) NOT NULL,
    "level" VARCHAR(16) NOT NULL,
    "song_id" VARCHAR(32),
    "artist_id" VARCHAR(32),
    "session_id" BIGINT NOT NULL,
    "location" VARCHAR(1024),
    "user_agent" VARCHAR(1024),
    PRIMARY KEY ("songplay_id")
)
DISTSTYLE KEY
DISTKEY ("user_id")
COMPOUND SORTKEY ("start_time")
