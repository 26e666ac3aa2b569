-- The run's time rows: staged rows (gate 2) or the lake table (gate 1).
SELECT start_time, hour, day, week, month, year, weekday, iso_year, iso_year - year AS iso_year_offset
FROM staging."time"
