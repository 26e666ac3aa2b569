SELECT
  level,
  COUNT(DISTINCT user_id) AS users,
  COUNT(CASE WHEN page = 'NextSong' THEN 1 END) AS plays,
  COALESCE(SUM(CASE WHEN page = 'NextSong' THEN length END), 0) / 60.0 AS minutes,
  COUNT(DISTINCT user_id || '|' || CAST(session_id AS VARCHAR)) AS sessions,
  COUNT(CASE WHEN page = 'Roll Advert' THEN 1 END) AS adverts,
  COUNT(CASE WHEN page = 'NextSong' THEN 1 END) * 1.0 / COUNT(DISTINCT user_id) AS plays_per_user
FROM events
WHERE
  NOT user_id IS NULL
  AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  level
ORDER BY
  level
