WITH plays AS (
  SELECT
    (
      p.start_time AT TIME ZONE 'UTC'
    ) AT TIME ZONE s.time_zone AS local_time
  FROM songplays AS p
  JOIN sessions AS s
    ON s.user_id = p.user_id AND s.session_id = p.session_id
  WHERE
    p.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND p.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), cells AS (
  SELECT
    CASE
      WHEN EXTRACT(DOW FROM local_time) = 0
      THEN 7
      ELSE CAST(EXTRACT(DOW FROM local_time) AS INTEGER)
    END AS weekday,
    CAST(EXTRACT(HOUR FROM local_time) AS INTEGER) AS hour
  FROM plays
)
SELECT
  weekday,
  hour,
  COUNT(*) AS plays
FROM cells
GROUP BY
  weekday,
  hour
ORDER BY
  weekday,
  hour
