INSERT INTO user_levels (user_id, level, valid_from, valid_to, is_current)
SELECT
    user_id,
    level,
    start_time AS valid_from,
    LEAD(start_time) OVER (PARTITION BY user_id ORDER BY start_time) AS valid_to,
    LEAD(start_time) OVER (PARTITION BY user_id ORDER BY start_time) IS NULL AS is_current
FROM (
    SELECT user_id, level, start_time,
           LAG(level) OVER (PARTITION BY user_id ORDER BY start_time) AS previous_level
    FROM (
        SELECT e.user_id, e.level, e.start_time, e.ts,
               LEAD(e.ts) OVER (PARTITION BY e.user_id ORDER BY e.ts, e.session_id, e.item_in_session) AS next_ts
        FROM events AS e
        WHERE e.user_id IN (SELECT user_id FROM staging.events WHERE user_id <> '')
    ) AS ordered
    WHERE next_ts IS NULL OR next_ts <> ts
) AS instants
WHERE previous_level IS NULL OR previous_level <> level
