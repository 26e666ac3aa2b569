SELECT
  s.time_zone,
  s.time_zone_known,
  COUNT(DISTINCT p.user_id) AS listeners,
  COUNT(*) AS plays
FROM songplays AS p
JOIN sessions AS s
  ON s.user_id = p.user_id AND s.session_id = p.session_id
WHERE
  p.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
  AND p.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
GROUP BY
  s.time_zone,
  s.time_zone_known
ORDER BY
  plays DESC,
  s.time_zone
