-- DuckDB engine: where the rejected event records are, so their line numbers and text can be read.
SELECT source_file, record_position FROM events_classified WHERE reject_reason IS NOT NULL
