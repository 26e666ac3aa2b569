-- Paid and free users per day, point in time (each user's level at the end of the day, from user_levels).
-- A user counts from their first event on, at the level of their stretch at that instant.
WITH
{{calendar}}
SELECT
    c.day,
    COUNT(CASE WHEN l.level = 'free' THEN 1 END) AS free_users,
    COUNT(CASE WHEN l.level = 'paid' THEN 1 END) AS paid_users,
    COUNT(CASE WHEN l.level = 'paid' THEN 1 END) * 1.0 / NULLIF(COUNT(l.user_id), 0) AS paid_share
FROM calendar AS c
LEFT JOIN user_levels AS l
  ON l.valid_from < c.day + 1 AND (l.valid_to IS NULL OR l.valid_to >= c.day + 1)
GROUP BY c.day
ORDER BY c.day
