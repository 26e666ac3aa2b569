-- DuckDB engine: set not_json / not_object on records whose text (unparsed_text) is not an object.
UPDATE events_checked_rows AS c
SET reject_reason = p.parse_error, reject_detail = NULL
FROM (SELECT source_file, record_position,
             CASE WHEN NOT json_valid(raw) THEN 'not_json' WHEN json_type(raw) <> 'OBJECT' THEN 'not_object' END
                 AS parse_error
      FROM unparsed_text) AS p
WHERE c.rowid = p.record_position AND c.source_file = p.source_file AND p.parse_error IS NOT NULL;
