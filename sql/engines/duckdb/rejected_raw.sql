-- DuckDB engine: line number and raw text of every rejected record (events: read back by the
-- engine, once: unparsed records were read before the contract verdicts).
CREATE TEMP TABLE rejected_raw AS
SELECT source_file, record_position, line_number, raw FROM rejected_event_text
UNION ALL
SELECT source_file, record_position, line_number, raw FROM unparsed_text
UNION ALL
SELECT s.source_file, s.line_number AS record_position, s.line_number, s.raw
FROM song_text AS s
JOIN songs_classified AS c ON c.source_file = s.source_file AND c.record_position = s.line_number
WHERE c.reject_reason IS NOT NULL;
