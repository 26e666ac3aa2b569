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
)
SELECT
  c.day,
  COUNT(CASE WHEN l.level = 'free' THEN 1 END) AS free_users,
  COUNT(CASE WHEN l.level = 'paid' THEN 1 END) AS paid_users,
  COUNT(CASE WHEN l.level = 'paid' THEN 1 END) * 1.0 / NULLIF(COUNT(l.user_id), 0) AS paid_share
FROM calendar AS c
LEFT JOIN user_levels AS l
  ON l.valid_from < c.day + 1 AND (
    l.valid_to IS NULL OR l.valid_to >= c.day + 1
  )
GROUP BY
  c.day
ORDER BY
  c.day
