-- Spark engine: lines and blank lines per event file; files that yielded no line (empty) too.
SELECT f.source_file, COALESCE(c.lines, 0) AS lines, COALESCE(c.blank_lines, 0) AS blank_lines
FROM listed_event_files AS f
LEFT JOIN (SELECT source_file, COUNT(*) AS lines, COUNT_IF(blank) AS blank_lines
           FROM events_checked_lines GROUP BY source_file) AS c
  ON c.source_file = f.source_file
