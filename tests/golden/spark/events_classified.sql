/* Every raw event record with its verdict: reject_reason NULL means accepted. The per-record */
/* checks come from the contract (events_checked); this adds the one rule that spans records. */
SELECT
  c.source_file,
  c.record_position,
  c.artist,
  c.auth,
  c.first_name,
  c.gender,
  c.item_in_session,
  c.last_name,
  c.length,
  c.level,
  c.location,
  c.method,
  c.page,
  c.registration,
  c.session_id,
  c.song,
  c.status,
  c.ts,
  c.user_agent,
  c.user_id,
  CASE
    WHEN NOT d.record_position IS NULL
    THEN 'duplicate_event'
    ELSE c.reject_reason
  END AS reject_reason,
  CASE
    WHEN NOT d.record_position IS NULL
    THEN 'userId,sessionId,itemInSession,ts'
    ELSE c.reject_detail
  END AS reject_detail
FROM events_checked AS c
LEFT JOIN duplicate_events AS d
  ON c.source_file = d.source_file AND c.record_position = d.record_position
