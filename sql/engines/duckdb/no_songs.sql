-- DuckDB engine: the relations read_songs.sql builds, empty, for a run without song files.
CREATE TEMP TABLE song_files (source_file VARCHAR, content VARCHAR);
CREATE TEMP TABLE song_text (source_file VARCHAR, line_number BIGINT, raw VARCHAR);
CREATE TEMP TABLE raw_songs AS
SELECT CAST(NULL AS VARCHAR) AS source_file, CAST(NULL AS BIGINT) AS record_position,
       CAST(NULL AS VARCHAR) AS parse_error, {{null_keys}}
LIMIT 0;
