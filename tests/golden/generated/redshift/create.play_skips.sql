-- One row per songplay: skipped when the user's next event in the same session starts more than one second
-- before the song's length has elapsed; NULL for a session's last event (nothing says how it ended).
-- DISTSTYLE KEY: DISTKEY(user_id) like songplays, which it joins one to one on songplay_id: the join stays on
-- the slice. SORTKEY(songplay_id): the join key.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "play_skips" (
    "songplay_id" BIGINT NOT NULL,
    "user_id" VARCHAR(64) NOT NULL,
    "session_id" BIGINT NOT NULL,
    "skipped" BOOLEAN
)
DISTSTYLE KEY
DISTKEY ("user_id")
SORTKEY ("songplay_id")
