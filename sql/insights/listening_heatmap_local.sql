-- When people listen, in their own time: plays per ISO weekday (1 = Monday) and local hour of day.
-- Local: the session's time zone (sessions.time_zone; UTC where the place is unknown).
-- The period still selects plays by their UTC time, like every question.
WITH plays AS (
    SELECT (p.start_time AT TIME ZONE 'UTC') AT TIME ZONE s.time_zone AS local_time
    FROM songplays AS p
    JOIN sessions AS s ON s.user_id = p.user_id AND s.session_id = p.session_id
    WHERE p.start_time >= {{start}} AND p.start_time < {{end}}
),
cells AS (
    SELECT
        CASE WHEN EXTRACT(DOW FROM local_time) = 0 THEN 7 ELSE CAST(EXTRACT(DOW FROM local_time) AS INTEGER) END
            AS weekday,
        CAST(EXTRACT(HOUR FROM local_time) AS INTEGER) AS hour
    FROM plays
)
SELECT weekday, hour, COUNT(*) AS plays
FROM cells
GROUP BY weekday, hour
ORDER BY weekday, hour
