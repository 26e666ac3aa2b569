WITH active AS (
  SELECT
    user_id,
    start_time
  FROM events
  WHERE
    NOT user_id IS NULL
    AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), cohorts AS (
  SELECT
    e.user_id,
    CAST(DATE_TRUNC('WEEK', MIN(e.registration_time)) AS DATE) AS cohort_week
  FROM events AS e
  WHERE
    e.user_id IN (
      SELECT
        user_id
      FROM active
    )
    AND NOT e.registration_time IS NULL
  GROUP BY
    e.user_id
), cohort_sizes AS (
  SELECT
    cohort_week,
    COUNT(*) AS cohort_users
  FROM cohorts
  GROUP BY
    cohort_week
), weekly AS (
  SELECT DISTINCT
    c.cohort_week,
    CAST(DATE_TRUNC('WEEK', a.start_time) AS DATE) AS activity_week,
    a.user_id
  FROM active AS a
  JOIN cohorts AS c
    ON c.user_id = a.user_id
)
SELECT
  w.cohort_week,
  w.activity_week,
  CAST((
    w.activity_week - w.cohort_week
  ) / 7 AS INTEGER) AS weeks_since_registration,
  s.cohort_users,
  COUNT(*) AS active_users,
  COUNT(*) * 1.0 / s.cohort_users AS retention
FROM weekly AS w
JOIN cohort_sizes AS s
  ON s.cohort_week = w.cohort_week
GROUP BY
  w.cohort_week,
  w.activity_week,
  s.cohort_users
ORDER BY
  w.cohort_week,
  w.activity_week
