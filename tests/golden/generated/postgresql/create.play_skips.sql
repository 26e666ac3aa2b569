-- One row per songplay: skipped when the user's next event in the same session starts more than one second
-- before the song's length has elapsed; NULL for a session's last event (nothing says how it ended).
CREATE TABLE IF NOT EXISTS "play_skips" (
    "songplay_id" BIGINT NOT NULL,
    "user_id" VARCHAR(64) NOT NULL,
    "session_id" BIGINT NOT NULL,
    "skipped" BOOLEAN
)
