-- DuckDB engine: records with no contract key at all (the reader could not parse the line, or an
-- object like {}): their text decides the reason.
SELECT source_file, record_position FROM events_checked WHERE unparsed
