-- When people listen: plays per ISO weekday (1 = Monday) and hour of day (UTC), from the star schema.
SELECT t.weekday, t.hour, COUNT(*) AS plays
FROM songplays AS p
JOIN "time" AS t ON t.start_time = p.start_time
WHERE p.start_time >= {{start}} AND p.start_time < {{end}}
GROUP BY t.weekday, t.hour
ORDER BY t.weekday, t.hour
