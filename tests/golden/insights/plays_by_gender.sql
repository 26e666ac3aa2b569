SELECT
  COALESCE(u.gender, 'unknown') AS gender,
  COUNT(DISTINCT e.user_id) AS listeners,
  COUNT(*) AS plays,
  SUM(e.length) / 60.0 AS minutes,
  COUNT(*) * 1.0 / COUNT(DISTINCT e.user_id) AS plays_per_listener
FROM events AS e
LEFT JOIN users AS u
  ON u.user_id = e.user_id
WHERE
  e.page = 'NextSong'
  AND NOT e.user_id IS NULL
  AND e.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND e.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  COALESCE(u.gender, 'unknown')
ORDER BY
  plays DESC,
  gender
