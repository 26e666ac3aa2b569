SELECT
  t.weekday,
  t.hour,
  COUNT(*) AS plays
FROM songplays AS p
JOIN "time" AS t
  ON t.start_time = p.start_time
WHERE
  p.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND p.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  t.weekday,
  t.hour
ORDER BY
  t.weekday,
  t.hour
