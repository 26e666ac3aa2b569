DELETE FROM play_skips
WHERE EXISTS (
    SELECT 1 FROM staging.events AS s WHERE s.user_id = play_skips.user_id AND s.session_id = play_skips.session_id
)
