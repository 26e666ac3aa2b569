-- Spark engine: the event lines as the contract check's input (a FROM item, not a statement).
-- Text fields are read as text (a non-string value as its JSON text), number fields as their JSON
-- text so a quoted "123" stays an invalid_type. Blank lines are kept (flagged) so the one pass
-- that parses the files also counts them.
(SELECT /*+ BROADCAST(o) */ e.*, e.line_number AS record_position, COALESCE(o.verdict, e.parse_verdict) AS parse_error
 FROM events_parsed AS e
 LEFT JOIN events_odd AS o ON o.source_file = e.source_file AND o.line_number = e.line_number)
