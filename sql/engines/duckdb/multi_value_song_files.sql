-- DuckDB engine: song files that are not one JSON value (several objects, or unparseable text).
SELECT source_file FROM song_files WHERE NOT json_valid(content) AND trim(content) <> ''
