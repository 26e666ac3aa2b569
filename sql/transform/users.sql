-- Dimension users: one row per non-empty userId seen in any event. Level, names and gender come
-- from the user's most recent event by ts (ties: later session, then later item), never from
-- file order. level_ts keeps that event's time so a later run loading older days cannot regress it.
WITH ranked AS (
    SELECT
        user_id,
        first_name,
        last_name,
        gender,
        level,
        start_time,
        ROW_NUMBER() OVER (
            PARTITION BY user_id ORDER BY ts DESC, session_id DESC, item_in_session DESC
        ) AS recency
    FROM events
    WHERE user_id <> ''
)
SELECT user_id, first_name, last_name, gender, level, start_time AS level_ts
FROM ranked
WHERE recency = 1
