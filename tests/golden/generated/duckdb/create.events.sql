-- Fact: one row per accepted raw event of every page (NextSong, Home, Thumbs Up, Roll Advert, Submit Upgrade,
-- ...), for the insights the star schema cannot answer (funnels, sessions, adverts, feedback). event_id
-- hashes the natural key (userId, sessionId, itemInSession, ts) and equals songplays.songplay_id for a play.
-- user_id is NULL for logged-out events; ts keeps the raw epoch milliseconds (portable arithmetic on
-- durations).
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "events" (
    "event_id" BIGINT NOT NULL,
    "start_time" TIMESTAMP NOT NULL,
    "ts" BIGINT NOT NULL,
    "user_id" VARCHAR(64),
    "session_id" BIGINT NOT NULL,
    "item_in_session" INTEGER NOT NULL,
    "page" VARCHAR(64) NOT NULL,
    "auth" VARCHAR(32),
    "level" VARCHAR(16),
    "method" VARCHAR(8),
    "status" INTEGER,
    "location" VARCHAR(1024),
    "user_agent" VARCHAR(1024),
    "registration_time" TIMESTAMP,
    "song" VARCHAR(1024),
    "artist" VARCHAR(1024),
    "length" DOUBLE PRECISION
)
