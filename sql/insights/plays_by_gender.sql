-- Listening by gender (the users dimension's latest value; unknown when not given).
SELECT
    COALESCE(u.gender, 'unknown') AS gender,
    COUNT(DISTINCT e.user_id) AS listeners,
    COUNT(*) AS plays,
    SUM(e.length) / 60.0 AS minutes,
    COUNT(*) * 1.0 / COUNT(DISTINCT e.user_id) AS plays_per_listener
FROM events AS e
LEFT JOIN users AS u ON u.user_id = e.user_id
WHERE e.page = 'NextSong' AND e.user_id IS NOT NULL
  AND e.start_time >= {{start}} AND e.start_time < {{end}}
GROUP BY COALESCE(u.gender, 'unknown')
ORDER BY plays DESC, gender
