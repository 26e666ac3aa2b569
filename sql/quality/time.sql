-- The run's time rows: staged rows (gate 2) or the lake table (gate 1).
SELECT start_time, hour, day, week, month, year, weekday
FROM staging."time"
