-- Consumption trend: plays, minutes listened and listeners per day.
SELECT CAST(start_time AS DATE) AS day, COUNT(*) AS plays, SUM(length) / 60.0 AS minutes,
       COUNT(DISTINCT user_id) AS listeners
FROM events
WHERE page = 'NextSong' AND user_id IS NOT NULL
  AND start_time >= {{start}} AND start_time < {{end}}
GROUP BY CAST(start_time AS DATE)
ORDER BY day
