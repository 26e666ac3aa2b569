-- Spark engine: line number and raw text of every rejected record. Event lines are read again,
-- only from the files with rejected records: carrying every line's text through the models
-- would cost far more than a second pass over the text of a few files.
SELECT /*+ BROADCAST(k) */ l.source_file, l.line_number AS record_position, l.line_number, l.line AS raw
FROM event_lines AS l
JOIN rejected_event_keys AS k ON k.source_file = l.source_file AND k.record_position = l.line_number
UNION ALL
SELECT s.source_file, s.line_number AS record_position, s.line_number, s.raw
FROM song_text AS s
JOIN songs_classified AS c ON c.source_file = s.source_file AND c.record_position = s.line_number
WHERE c.reject_reason IS NOT NULL
