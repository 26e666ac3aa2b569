-- DuckDB engine: song files -> raw_songs (text fields as text, number fields as JSON text).
-- song_files (file contents, read by the engine) is split here when a file holds exactly one
-- JSON value; song_records (split by the engine in Python) holds the values of the other files
-- (several objects, concatenated or pretty-printed, or text that does not parse).

CREATE TEMP TABLE song_text AS
SELECT source_file,
       -- the line where the value starts: 1 + newlines in the leading whitespace
       1 + length(lead) - length(replace(lead, chr(10), '')) AS line_number,
       trim(content) AS raw
FROM (SELECT source_file, content, regexp_extract(content, '^\s*') AS lead
      FROM song_files
      WHERE json_valid(content) AND trim(content) <> '')
UNION ALL
SELECT source_file, line_number, raw FROM song_records;

CREATE TEMP TABLE raw_songs AS
SELECT s.source_file, s.line_number AS record_position,
       CASE WHEN NOT json_valid(s.raw) THEN 'not_json'
            WHEN json_type(s.raw) <> 'OBJECT' THEN 'not_object'
       END AS parse_error,
       {{extracted_keys}}
FROM (SELECT *, json_extract_string(obj, {{paths}}) AS t, json_extract(obj, {{paths}}) AS v
      -- the extract functions reject invalid JSON even inside a CASE: feed them NULL instead
      FROM (SELECT *, CASE WHEN json_valid(raw) AND json_type(raw) = 'OBJECT' THEN raw END AS obj
            FROM song_text)) AS s;
