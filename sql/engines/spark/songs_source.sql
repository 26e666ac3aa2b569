-- Spark engine: song values as the contract check's input (a FROM item; see events_source.sql).
(SELECT /*+ BROADCAST(o) */ s.*, s.line_number AS record_position, COALESCE(o.verdict, s.parse_verdict) AS parse_error
 FROM songs_parsed AS s
 LEFT JOIN songs_odd AS o ON o.source_file = s.source_file AND o.line_number = s.line_number)
