/* Every record that failed the contract, with its reason code and the raw text as read, in a */
/* form every warehouse can store (storable_raw: NUL spelled out, cut to 16,383 characters). */
/* rejected_raw (from the engine) maps each rejected record to its physical line and text; */
/* quarantined_files (from the engine) lists the files it did not read. */
SELECT
  c.source_file,
  r.line_number,
  'events' AS input,
  c.reject_reason AS reason,
  c.reject_detail AS detail,
  STORABLE_RAW(r.raw) AS raw
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
  STORABLE_RAW(r.raw) AS raw
FROM songs_classified AS c
JOIN rejected_raw AS r
  ON r.source_file = c.source_file AND r.record_position = c.record_position
WHERE
  NOT c.reject_reason IS NULL
UNION ALL
/* A file no reader can read (sources.screen): one row, line 0, the reason in detail. */
SELECT
  source_file,
  CAST(0 AS BIGINT) AS line_number,
  input,
  'unreadable_file' AS reason,
  LEFT(detail, 256) AS detail,
  CAST(NULL AS STRING) AS raw
FROM quarantined_files
