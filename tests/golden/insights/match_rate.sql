SELECT
  CAST(start_time AS DATE) AS day,
  COUNT(*) AS plays,
  COUNT(song_id) AS matched_plays,
  COUNT(song_id) * 1.0 / COUNT(*) AS match_rate
FROM songplays
WHERE
  start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  CAST(start_time AS DATE)
ORDER BY
  day
