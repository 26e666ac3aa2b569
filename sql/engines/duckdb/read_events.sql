-- DuckDB engine: event files -> events_checked (typed, contract-checked, one row per non-blank line).
-- Placeholders {{...}} are filled by music_analytics/engines/duckdb_engine.py; event_files and
-- blank_lines come from the engine's byte-level profile of each file.

-- The JSON reader yields one row per non-blank line, in file order, all-NULL for a line it cannot
-- parse; text fields are read as text, number fields as JSON text (to see their type). Insertion
-- order is preserved into the table, so rowid orders each file's records like its lines.
CREATE TEMP TABLE events_checked_rows AS
{{validate}};

CREATE TEMP VIEW events_checked AS
SELECT rowid AS record_position, * FROM events_checked_rows;

CREATE TEMP TABLE file_offsets AS
SELECT source_file, MIN(record_position) AS first_position, MAX(record_position) AS last_position,
       COUNT(*) AS records
FROM events_checked
GROUP BY source_file;

-- For the k-th non-blank line, the blanks before it are those with fewer than k non-blank lines
-- before them: ASOF picks the last such blank, whose running count shifts k to the line number.
CREATE TEMP TABLE blank_steps AS
SELECT source_file, line_number - blanks_so_far AS nonblank_before, MAX(blanks_so_far) AS blanks_so_far
FROM (SELECT source_file, line_number,
             ROW_NUMBER() OVER (PARTITION BY source_file ORDER BY line_number) AS blanks_so_far
      FROM blank_lines)
GROUP BY source_file, nonblank_before;
