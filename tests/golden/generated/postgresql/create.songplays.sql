-- Fact: one row per NextSong event of a known user; songplay_id is derived from the event's natural key
-- (userId, sessionId, itemInSession, ts). song_id/artist_id are NULL when unmatched.
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
