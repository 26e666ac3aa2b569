-- Daily, weekly and monthly active users: distinct users on the day, the trailing 7 and 30 days.
WITH activity AS (
    SELECT DISTINCT user_id, CAST(start_time AS DATE) AS day, FLOOR(ts / 86400000.0) AS day_number
    FROM events
    WHERE user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
),
days AS (
    SELECT DISTINCT day, day_number FROM activity
)
SELECT
    d.day,
    COUNT(DISTINCT CASE WHEN a.day_number = d.day_number THEN a.user_id END) AS dau,
    COUNT(DISTINCT CASE WHEN a.day_number > d.day_number - 7 THEN a.user_id END) AS wau,
    COUNT(DISTINCT a.user_id) AS mau
FROM days AS d
JOIN activity AS a ON a.day_number <= d.day_number AND a.day_number > d.day_number - 30
GROUP BY d.day
ORDER BY d.day
