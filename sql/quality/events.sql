-- The lake's accepted events (every page, not only plays): gate 1 only.
SELECT start_time, ts, user_id, session_id, item_in_session, page, auth, level, method, status, gender,
       song, length
FROM staging.events
