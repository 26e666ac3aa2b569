/* Later copies of an event: an accepted record whose natural key (userId, sessionId, */
/* itemInSession, ts) was already read. The first by (file, position in file) wins. Duplicates are */
/* rare, so the repeated keys are found with an aggregate and only their records are ranked. */
WITH repeated_keys AS (
  SELECT
    user_id,
    session_id,
    item_in_session,
    ts
  FROM events_checked
  WHERE
    reject_reason IS NULL
  GROUP BY
    user_id,
    session_id,
    item_in_session,
    ts
  HAVING
    COUNT(*) > 1
)
SELECT
  source_file,
  record_position
FROM (
  SELECT
    c.source_file,
    c.record_position,
    ROW_NUMBER() OVER (
      PARTITION BY c.user_id, c.session_id, c.item_in_session, c.ts
      ORDER BY c.source_file NULLS LAST, c.record_position NULLS LAST
    ) AS copy_rank
  FROM events_checked AS c
  JOIN repeated_keys AS k
    ON c.user_id = k.user_id
    AND c.session_id = k.session_id
    AND c.item_in_session = k.item_in_session
    AND c.ts = k.ts
  WHERE
    c.reject_reason IS NULL
) AS ranked
WHERE
  copy_rank > 1
