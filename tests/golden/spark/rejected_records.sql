/* Every record that failed the contract, with its reason code and the raw text as read */
/* (cut to 16,384 characters so one runaway line cannot break a warehouse column limit). */
/* rejected_raw (from the engine) maps each rejected record to its physical line and text. */
SELECT
  c.source_file,
  r.line_number,
  'events' AS input,
  c.reject_reason AS reason,
  c.reject_detail AS detail,
  LEFT(r.raw, 16384) AS raw
FROM events_classified AS c
JOIN rejected_raw AS r
  ON r.source_file = c.source_file AND r.record_position = c.record_position
WHERE
  NOT c.reject_reason IS NULL
UNION ALL
SELECT
  c.source_file,
  r.line_number,
  'songs' AS input,
  c.reject_reason AS reason,
  c.reject_detail AS detail,
  LEFT(r.raw, 16384) AS raw
FROM songs_classified AS c
JOIN rejected_raw AS r
  ON r.source_file = c.source_file AND r.record_position = c.record_position
WHERE
  NOT c.reject_reason IS NULL
