-- Spark engine: one row per JSON value of the song files: files holding exactly one value are
-- split here; song_records holds the values of the others, split by the engine in Python (the
-- same code as the DuckDB engine's).
SELECT source_file,
       -- the line where the value starts: 1 + newlines in the leading whitespace
       1 + length(lead) - length(replace(lead, '\n', '')) AS line_number,
       trim(content) AS raw
FROM (SELECT f.source_file, f.content, regexp_extract(f.content, '^\\s*', 0) AS lead
      FROM song_files_parsed AS f
      LEFT JOIN song_files_odd AS o ON o.source_file = f.source_file
      WHERE NOT f.skip AND COALESCE(o.verdict, f.parse_verdict, 'ok') <> 'not_json')
UNION ALL
SELECT source_file, line_number, raw FROM song_records
