SELECT
  CAST(start_time AS DATE) AS day,
  COUNT(*) AS plays,
  SUM(length) / 60.0 AS minutes,
  COUNT(DISTINCT user_id) AS listeners
FROM events
WHERE
  page = 'NextSong'
  AND NOT user_id IS NULL
  AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  CAST(start_time AS DATE)
ORDER BY
  day
