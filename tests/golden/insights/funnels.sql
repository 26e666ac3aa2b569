WITH steps AS (
  SELECT
    1 AS position,
    'upgrade' AS funnel,
    'Upgrade' AS first_page,
    'Submit Upgrade' AS second_page
  UNION ALL
  SELECT
    2,
    'downgrade',
    'Downgrade',
    'Submit Downgrade'
  UNION ALL
  SELECT
    3,
    'cancel',
    'Cancel',
    'Cancellation Confirmation'
), period AS (
  SELECT
    user_id,
    page,
    ts
  FROM events
  WHERE
    NOT user_id IS NULL
    AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), first_step AS (
  SELECT
    s.position,
    COUNT(DISTINCT e.user_id) AS users
  FROM steps AS s
  LEFT JOIN period AS e
    ON e.page = s.first_page
  GROUP BY
    s.position
), second_step AS (
  SELECT
    s.position,
    COUNT(DISTINCT b.user_id) AS users
  FROM steps AS s
  LEFT JOIN period AS a
    ON a.page = s.first_page
  LEFT JOIN period AS b
    ON b.page = s.second_page AND b.user_id = a.user_id AND b.ts > a.ts
  GROUP BY
    s.position
)
SELECT
  funnel,
  step,
  page,
  users,
  rate
FROM (
  SELECT
    s.position,
    s.funnel,
    1 AS step,
    s.first_page AS page,
    f.users,
    CASE WHEN f.users > 0 THEN 1.0 END AS rate
  FROM steps AS s
  JOIN first_step AS f
    ON f.position = s.position
  UNION ALL
  SELECT
    s.position,
    s.funnel,
    2,
    s.second_page,
    n.users,
    CASE WHEN f.users > 0 THEN n.users * 1.0 / f.users END
  FROM steps AS s
  JOIN first_step AS f
    ON f.position = s.position
  JOIN second_step AS n
    ON n.position = s.position
) AS funnel_steps
ORDER BY
  position,
  step
