-- Listening by place: the metro name "City-City, ST-ST" split into its cities and first state code.
WITH plays AS (
    SELECT
        user_id,
        length,
        CASE WHEN location IS NULL OR location = '' THEN 'unknown'
             ELSE SPLIT_PART(location, ', ', 1) END AS city,
        CASE WHEN location IS NULL OR location = '' THEN 'unknown'
             ELSE SPLIT_PART(SPLIT_PART(location, ', ', 2), '-', 1) END AS state
    FROM events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
)
SELECT city, state, COUNT(DISTINCT user_id) AS listeners, COUNT(*) AS plays, SUM(length) / 60.0 AS minutes
FROM plays
GROUP BY city, state
ORDER BY plays DESC, state, city
