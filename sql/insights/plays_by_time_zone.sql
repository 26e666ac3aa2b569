-- Listening by the listener's time zone, the zones the local-time answers use (sessions.time_zone).
-- From the location's state; plays without a known place are in UTC with time_zone_known false.
SELECT s.time_zone, s.time_zone_known, COUNT(DISTINCT p.user_id) AS listeners, COUNT(*) AS plays
FROM songplays AS p
JOIN sessions AS s ON s.user_id = p.user_id AND s.session_id = p.session_id
WHERE p.start_time >= {{start}} AND p.start_time < {{end}}
GROUP BY s.time_zone, s.time_zone_known
ORDER BY plays DESC, s.time_zone
