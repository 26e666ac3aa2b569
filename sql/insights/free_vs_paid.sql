-- Free vs paid: users, plays, minutes, sessions and adverts by the level the user had at each event.
SELECT
    level,
    COUNT(DISTINCT user_id) AS users,
    COUNT(CASE WHEN page = 'NextSong' THEN 1 END) AS plays,
    COALESCE(SUM(CASE WHEN page = 'NextSong' THEN length END), 0) / 60.0 AS minutes,
    COUNT(DISTINCT user_id || '|' || CAST(session_id AS VARCHAR)) AS sessions,
    COUNT(CASE WHEN page = 'Roll Advert' THEN 1 END) AS adverts,
    COUNT(CASE WHEN page = 'NextSong' THEN 1 END) * 1.0 / COUNT(DISTINCT user_id) AS plays_per_user
FROM events
WHERE user_id IS NOT NULL
  AND start_time >= {{start}} AND start_time < {{end}}
GROUP BY level
ORDER BY level
