-- Spark engine: every physical line of the event files, numbered from 1, as the DuckDB engine's
-- byte-level profile counts them: a BOM at the start of a file and CRs at line ends removed, the
-- empty string after a final newline not a line. event_file_text (file_path, value) is Spark's
-- whole-text read of the files; file_path is a URI ('+' is literal in it, not a space).
SELECT source_file, pos + 1 AS line_number, regexp_replace(line, '\r+$', '') AS line,
       trim(BOTH ' \t\r' FROM line) = '' AS blank
FROM (
    SELECT source_file, parts, size(parts) AS n, posexplode(parts) AS (pos, line)
    FROM (
        SELECT substr(regexp_replace(url_decode(replace(file_path, '+', '%2B')), '^file:(//)?', ''),
                      {{prefix_len}}) AS source_file,
               split(regexp_replace(value, '^\uFEFF', ''), '\n', -1) AS parts
        FROM event_file_text
    )
)
WHERE NOT (pos = n - 1 AND line = '')
