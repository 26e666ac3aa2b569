-- Fragment (not a question): the day series of the questions with one row per day, inserted where a
-- question says {{calendar}}. CTEs digits, bounds and calendar (one row per day).
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
)
