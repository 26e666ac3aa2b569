-- Retention by registration-week cohort: the share of each whole cohort active in each week of the period.
WITH
{{calendar}},
period_weeks AS (
    SELECT DISTINCT CAST(DATE_TRUNC('week', CAST(day AS TIMESTAMP)) AS DATE) AS activity_week
    FROM calendar
),
-- Cohorts and their sizes come from all data: a cohort's size does not depend on the period.
cohorts AS (
    SELECT user_id, CAST(DATE_TRUNC('week', MIN(registration_time)) AS DATE) AS cohort_week
    FROM events
    WHERE user_id IS NOT NULL AND registration_time IS NOT NULL
    GROUP BY user_id
),
cohort_sizes AS (
    SELECT cohort_week, COUNT(*) AS cohort_users FROM cohorts GROUP BY cohort_week
),
reported AS (
    SELECT DISTINCT c.cohort_week
    FROM cohorts AS c
    JOIN events AS e ON e.user_id = c.user_id
    WHERE e.start_time >= {{start}} AND e.start_time < {{end}}
),
-- Whole Monday..Sunday weeks, like WAU: the days of a week outside the period count too.
weekly AS (
    SELECT DISTINCT user_id, CAST(DATE_TRUNC('week', start_time) AS DATE) AS activity_week
    FROM events
    WHERE user_id IS NOT NULL
),
active AS (
    SELECT c.cohort_week, w.activity_week, COUNT(*) AS active_users
    FROM weekly AS w
    JOIN cohorts AS c ON c.user_id = w.user_id
    JOIN period_weeks AS p ON p.activity_week = w.activity_week
    GROUP BY c.cohort_week, w.activity_week
)
-- Every week of the period from the cohort's own week on, 0 when nobody was active; none before it.
SELECT
    r.cohort_week,
    p.activity_week,
    CAST((p.activity_week - r.cohort_week) / 7 AS INTEGER) AS weeks_since_registration,
    s.cohort_users,
    COALESCE(a.active_users, 0) AS active_users,
    COALESCE(a.active_users, 0) * 1.0 / s.cohort_users AS retention
FROM reported AS r
JOIN cohort_sizes AS s ON s.cohort_week = r.cohort_week
JOIN period_weeks AS p ON p.activity_week >= r.cohort_week
LEFT JOIN active AS a ON a.cohort_week = r.cohort_week AND a.activity_week = p.activity_week
ORDER BY r.cohort_week, p.activity_week
