/* Accepted events, typed, with start_time = ts as a UTC timestamp (millisecond precision). */
/* event_id hashes the event's natural key (userId, sessionId, itemInSession, ts): a play's */
/* songplay_id is its event_id, so the events fact and songplays join on it. */
SELECT
  STABLE_ID(
    CONCAT_WS(
      '|',
      user_id,
      CAST(session_id AS STRING),
      CAST(item_in_session AS STRING),
      CAST(ts AS STRING)
    )
  ) AS event_id,
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
  TIMESTAMP_FROM_MS(CAST(FLOOR(registration) AS BIGINT)) AS registration_time, /* FLOOR first: a cast of a fractional double rounds in DuckDB and truncates in Spark. */
  song,
  artist,
  length,
  source_file,
  record_position
FROM events_classified
WHERE
  reject_reason IS NULL
