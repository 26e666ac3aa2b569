WITH digits AS (
  SELECT
    0 AS d
  UNION ALL
  SELECT
    1
  UNION ALL
  SELECT
    2
  UNION ALL
  SELECT
    3
  UNION ALL
  SELECT
    4
  UNION ALL
  SELECT
    5
  UNION ALL
  SELECT
    6
  UNION ALL
  SELECT
    7
  UNION ALL
  SELECT
    8
  UNION ALL
  SELECT
    9
), bounds AS (
  SELECT
    first_day,
    last_day
  FROM (
    SELECT
      CASE
        WHEN MIN(start_time) > CAST('2018-11-01 00:00:00' AS TIMESTAMP)
        THEN CAST(MIN(start_time) AS DATE)
        ELSE CAST(CAST('2018-11-01 00:00:00' AS TIMESTAMP) AS DATE)
      END AS first_day,
      CASE
        WHEN MAX(start_time) < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
        THEN CAST(MAX(start_time) AS DATE)
        ELSE CAST(CAST('2018-12-01 00:00:00' AS TIMESTAMP) AS DATE) - 1
      END AS last_day,
      COUNT(
        CASE
          WHEN start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
          AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
          THEN 1
        END
      ) AS period_events
    FROM events
  ) AS data_span
  WHERE
    period_events > 0
), calendar AS (
  SELECT
    b.first_day + (
      d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d
    ) AS day
  FROM bounds AS b
  JOIN digits AS d5
    ON 10000 * d5.d <= b.last_day - b.first_day
  JOIN digits AS d4
    ON 1000 * d4.d <= b.last_day - b.first_day
  JOIN digits AS d3
    ON 100 * d3.d <= b.last_day - b.first_day
  JOIN digits AS d2
    ON 10 * d2.d <= b.last_day - b.first_day
  CROSS JOIN digits AS d1
  WHERE
    d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d <= b.last_day - b.first_day
), per_day AS (
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
)
SELECT
  c.day,
  COALESCE(p.plays, 0) AS plays,
  COALESCE(p.minutes, 0.0) AS minutes,
  COALESCE(p.listeners, 0) AS listeners
FROM calendar AS c
LEFT JOIN per_day AS p
  ON p.day = c.day
ORDER BY
  c.day
