-- Consumption trend: plays, minutes listened and listeners for every day of the period (0 without plays).
WITH
{{calendar}},
per_day AS (
    SELECT CAST(start_time AS DATE) AS day, COUNT(*) AS plays, SUM(length) / 60.0 AS minutes,
           COUNT(DISTINCT user_id) AS listeners
    FROM events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
    GROUP BY CAST(start_time AS DATE)
)
SELECT c.day, COALESCE(p.plays, 0) AS plays, COALESCE(p.minutes, 0.0) AS minutes,
       COALESCE(p.listeners, 0) AS listeners
FROM calendar AS c
LEFT JOIN per_day AS p ON p.day = c.day
ORDER BY c.day
