-- Retention by registration-week cohort: the share of each whole cohort active in each week of the period.
WITH
-- The calendar: every day of the period clamped to the data; no day when the period holds no event.
-- Day offsets come from digits, not generate_series (Redshift runs it on the leader node only): five
-- digits reach 100,000 days, and bounding each digit by the span first keeps a month at 30 rows.
digits AS (
    SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
    UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
),
bounds AS (
    SELECT first_day, last_day
    FROM (
        SELECT
            CASE WHEN MIN(start_time) > {{start}} THEN CAST(MIN(start_time) AS DATE)
                 ELSE CAST({{start}} AS DATE) END AS first_day,
            CASE WHEN MAX(start_time) < {{end}} THEN CAST(MAX(start_time) AS DATE)
                 ELSE CAST({{end}} AS DATE) - 1 END AS last_day,
            COUNT(CASE WHEN start_time >= {{start}} AND start_time < {{end}} THEN 1 END) AS period_events
        FROM events
    ) AS data_span
    WHERE period_events > 0
),
calendar AS (
    SELECT b.first_day + (d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d) AS day
    FROM bounds AS b
    JOIN digits AS d5 ON 10000 * d5.d <= b.last_day - b.first_day
    JOIN digits AS d4 ON 1000 * d4.d <= b.last_day - b.first_day
    JOIN digits AS d3 ON 100 * d3.d <= b.last_day - b.first_day
    JOIN digits AS d2 ON 10 * d2.d <= b.last_day - b.first_day
    CROSS JOIN digits AS d1
    WHERE d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d <= b.last_day - b.first_day
),
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
