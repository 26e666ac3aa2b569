-- Level history (SCD type 2) of the users this run touched ({{touched}}: the staged events, or all
-- events when the table is first built), rebuilt from ALL their events: a late event inside a past
-- stretch splits or merges stretches, a rerun writes the same rows, and any split of files into runs
-- gives the same table.
-- Rule: a user's events in time order; a stretch starts at the first instant whose level differs from
-- the previous instant's. Events at one instant (same ts) count once, as the last of them (later
-- session, then later item), the order users.sql takes the latest level in: so the current stretch's
-- level is users.level. eventsim logs Submit Upgrade / Submit Downgrade with the OLD level, so a new
-- level starts at the user's next event (seconds later), not at the submit.
DELETE FROM user_levels
WHERE user_id IN (SELECT user_id FROM {{touched}} WHERE user_id <> '');
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
        WHERE e.user_id IN (SELECT user_id FROM {{touched}} WHERE user_id <> '')
    ) AS ordered
    WHERE next_ts IS NULL OR next_ts <> ts
) AS instants
WHERE previous_level IS NULL OR previous_level <> level
