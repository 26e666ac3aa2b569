/* Accepted events, typed, with start_time = ts as a UTC timestamp (millisecond precision). */
SELECT
  TIMESTAMP_FROM_MS(ts) AS start_time,
  ts,
  user_id,
  session_id,
  item_in_session,
  page,
  auth,
  level,
  method,
  status,
  first_name,
  last_name,
  gender,
  location,
  user_agent,
  registration,
  song,
  artist,
  length,
  source_file,
  record_position
FROM events_classified
WHERE
  reject_reason IS NULL
