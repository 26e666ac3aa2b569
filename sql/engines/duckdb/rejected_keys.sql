-- DuckDB engine: where the rejected event records are whose text was not read yet (unparsed
-- records already have theirs), so their line numbers and text can be read.
SELECT c.source_file, c.record_position
FROM events_classified AS c
WHERE c.reject_reason IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM unparsed_text AS u
                  WHERE u.source_file = c.source_file AND u.record_position = c.record_position)
