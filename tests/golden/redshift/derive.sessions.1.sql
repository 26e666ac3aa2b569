DELETE FROM sessions
WHERE EXISTS (
    SELECT 1 FROM staging.events AS s WHERE s.user_id = sessions.user_id AND s.session_id = sessions.session_id
)
