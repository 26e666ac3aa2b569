-- Daily, weekly and monthly active users for every day of the period: the day, the trailing 7 and 30 days.
WITH
{{calendar}},
-- Every event before the period's end counts: a trailing window reaches back before --start.
activity AS (
    SELECT DISTINCT e.user_id, CAST(e.start_time AS DATE) AS day
    FROM events AS e
    JOIN bounds AS b ON CAST(e.start_time AS DATE) > b.first_day - 30
    WHERE e.user_id IS NOT NULL AND e.start_time < {{end}}
)
SELECT
    c.day,
    COUNT(DISTINCT CASE WHEN a.day = c.day THEN a.user_id END) AS dau,
    COUNT(DISTINCT CASE WHEN a.day > c.day - 7 THEN a.user_id END) AS wau,
    COUNT(DISTINCT a.user_id) AS mau
FROM calendar AS c
LEFT JOIN activity AS a ON a.day <= c.day AND a.day > c.day - 30
GROUP BY c.day
ORDER BY c.day
