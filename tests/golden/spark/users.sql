/* Dimension users: one row per non-empty userId seen in any event. Level, names and gender come */
/* from the user's most recent event by ts (ties: later session, then later item), never from */
/* file order. level_ts keeps that event's time so a later run loading older days cannot regress it. */
/* The latest ts per user is an aggregate; only the events at that instant are ranked. */
WITH latest AS (
  SELECT
    user_id,
    MAX(ts) AS ts
  FROM events
  WHERE
    user_id <> ''
  GROUP BY
    user_id
), ranked AS (
  SELECT
    e.user_id,
    e.first_name,
    e.last_name,
    e.gender,
    e.level,
    e.start_time,
    ROW_NUMBER() OVER (PARTITION BY e.user_id ORDER BY e.session_id DESC, e.item_in_session DESC) AS recency
  FROM events AS e
  JOIN latest AS l
    ON e.user_id = l.user_id AND e.ts = l.ts
)
SELECT
  user_id,
  first_name,
  last_name,
  gender,
  level,
  start_time AS level_ts
FROM ranked
WHERE
  recency = 1
