-- Run statistics per input (events, songs): files, records, accepted, rejected, blank lines, empty files.
SELECT input, COUNT(*) AS files, SUM(records) AS records, SUM(accepted) AS accepted, SUM(rejected) AS rejected,
       SUM(blank_lines) AS blank_lines, COUNT(*) FILTER (WHERE records = 0) AS empty_files
FROM input_files
GROUP BY input
ORDER BY input
