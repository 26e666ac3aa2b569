INSERT INTO play_skips (songplay_id, user_id, session_id, skipped)
SELECT
    event_id,
    user_id,
    session_id,
    CASE WHEN next_ts IS NULL THEN NULL
         WHEN next_ts < ts + length * 1000 - 1000 THEN TRUE
         ELSE FALSE END AS skipped
FROM (
    SELECT e.event_id, e.user_id, e.session_id, e.page, e.ts, e.length,
           LEAD(e.ts) OVER (PARTITION BY e.session_id, e.user_id ORDER BY e.ts, e.item_in_session) AS next_ts
    FROM events AS e
    WHERE EXISTS (SELECT 1 FROM staging.events AS s WHERE s.user_id = e.user_id AND s.session_id = e.session_id)
) AS ordered
WHERE page = 'NextSong'
