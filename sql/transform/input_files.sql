-- Per input file: records read = accepted + rejected, and blank lines seen. event_files
-- (source_file, lines, blank_lines) and song_files (source_file) list every file the engine
-- read, empty ones included, so a file that yielded no record still shows up with zeros.
WITH ev AS (
    SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
    FROM events_classified
    GROUP BY source_file
),
so AS (
    SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
    FROM songs_classified
    GROUP BY source_file
)
SELECT f.source_file, 'events' AS input, COALESCE(ev.records, 0) AS records,
       COALESCE(ev.accepted, 0) AS accepted, COALESCE(ev.records - ev.accepted, 0) AS rejected,
       f.blank_lines
FROM event_files AS f
LEFT JOIN ev ON ev.source_file = f.source_file
UNION ALL
SELECT f.source_file, 'songs' AS input, COALESCE(so.records, 0) AS records, COALESCE(so.accepted, 0) AS accepted,
       COALESCE(so.records - so.accepted, 0) AS rejected, CAST(0 AS BIGINT) AS blank_lines
FROM song_files AS f
LEFT JOIN so ON so.source_file = f.source_file
UNION ALL
-- A quarantined file is one record, rejected (its one rejected_records row).
SELECT source_file, input, CAST(1 AS BIGINT) AS records, CAST(0 AS BIGINT) AS accepted, CAST(1 AS BIGINT) AS rejected,
       CAST(0 AS BIGINT) AS blank_lines
FROM quarantined_files
