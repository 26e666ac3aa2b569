-- Sessions of the period: how many, how long (first event to the end of the last song) and songs each.
WITH per_session AS (
    SELECT user_id, session_id,
           -- A play lasts its length: the session ends when its last song does, not when it starts.
           (MAX(CASE WHEN page = 'NextSong' THEN ts + length * 1000 ELSE ts END) - MIN(ts)) / 60000.0 AS minutes,
           COUNT(CASE WHEN page = 'NextSong' THEN 1 END) AS songs
    FROM events
    WHERE user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
    GROUP BY user_id, session_id
)
SELECT
    COUNT(*) AS sessions,
    COUNT(DISTINCT user_id) AS users,
    AVG(minutes) AS avg_session_minutes,
    AVG(songs * 1.0) AS avg_songs_per_session,
    MAX(songs) AS max_songs_per_session,
    COUNT(*) * 1.0 / NULLIF(COUNT(DISTINCT user_id), 0) AS sessions_per_user
FROM per_session
