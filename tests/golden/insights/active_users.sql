WITH activity AS (
  SELECT DISTINCT
    user_id,
    CAST(start_time AS DATE) AS day,
    FLOOR(ts / 86400000.0) AS day_number
  FROM events
  WHERE
    NOT user_id IS NULL
    AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), days AS (
  SELECT DISTINCT
    day,
    day_number
  FROM activity
)
SELECT
  d.day,
  COUNT(DISTINCT CASE WHEN a.day_number = d.day_number THEN a.user_id END) AS dau,
  COUNT(DISTINCT CASE WHEN a.day_number > d.day_number - 7 THEN a.user_id END) AS wau,
  COUNT(DISTINCT a.user_id) AS mau
FROM days AS d
JOIN activity AS a
  ON a.day_number <= d.day_number AND a.day_number > d.day_number - 30
GROUP BY
  d.day
ORDER BY
  d.day
