-- DuckDB engine: physical line numbers of some event records (wanted_records: source_file,
-- record_position), from each file's first position and the blank lines before the record.
SELECT w.source_file, w.record_position, w.ordinal + COALESCE(b.blanks_so_far, 0) AS line_number
FROM (SELECT r.source_file, r.record_position, r.record_position - o.first_position + 1 AS ordinal
      FROM wanted_records AS r JOIN file_offsets AS o USING (source_file)) AS w
ASOF LEFT JOIN blank_steps AS b
  ON w.source_file = b.source_file AND w.ordinal > b.nonblank_before
ORDER BY w.source_file, w.record_position
