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
), period_weeks AS (
  SELECT DISTINCT
    CAST(DATE_TRUNC('WEEK', CAST(day AS TIMESTAMP)) AS DATE) AS activity_week
  FROM calendar
), cohorts AS (
  SELECT
    user_id,
    CAST(DATE_TRUNC('WEEK', MIN(registration_time)) AS DATE) AS cohort_week
  FROM events
  WHERE
    NOT user_id IS NULL AND NOT registration_time IS NULL
  GROUP BY
    user_id
), cohort_sizes AS (
  SELECT
    cohort_week,
    COUNT(*) AS cohort_users
  FROM cohorts
  GROUP BY
    cohort_week
), reported AS (
  SELECT DISTINCT
    c.cohort_week
  FROM cohorts AS c
  JOIN events AS e
    ON e.user_id = c.user_id
  WHERE
    e.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND e.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), weekly AS (
  SELECT DISTINCT
    user_id,
    CAST(DATE_TRUNC('WEEK', start_time) AS DATE) AS activity_week
  FROM events
  WHERE
    NOT user_id IS NULL
), active AS (
  SELECT
    c.cohort_week,
    w.activity_week,
    COUNT(*) AS active_users
  FROM weekly AS w
  JOIN cohorts AS c
    ON c.user_id = w.user_id
  JOIN period_weeks AS p
    ON p.activity_week = w.activity_week
  GROUP BY
    c.cohort_week,
    w.activity_week
)
SELECT
  r.cohort_week,
  p.activity_week,
  CAST((
    p.activity_week - r.cohort_week
  ) / 7 AS INTEGER) AS weeks_since_registration,
  s.cohort_users,
  COALESCE(a.active_users, 0) AS active_users,
  COALESCE(a.active_users, 0) * 1.0 / s.cohort_users AS retention
FROM reported AS r
JOIN cohort_sizes AS s
  ON s.cohort_week = r.cohort_week
JOIN period_weeks AS p
  ON p.activity_week >= r.cohort_week
LEFT JOIN active AS a
  ON a.cohort_week = r.cohort_week AND a.activity_week = p.activity_week
ORDER BY
  r.cohort_week,
  p.activity_week
