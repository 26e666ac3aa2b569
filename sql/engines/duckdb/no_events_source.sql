-- DuckDB engine: an empty stand-in for events_source.sql when a run has no event files.
(SELECT CAST(NULL AS VARCHAR) AS source_file, {{null_keys}} LIMIT 0)
