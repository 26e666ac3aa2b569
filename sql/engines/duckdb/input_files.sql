-- DuckDB engine: per input file, records read = accepted + rejected (and blank lines seen).
CREATE TEMP TABLE input_files AS
WITH ev AS (
    SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
    FROM events_classified GROUP BY source_file
),
so AS (
    SELECT source_file, COUNT(*) AS records, COUNT(*) FILTER (WHERE reject_reason IS NULL) AS accepted
    FROM songs_classified GROUP BY source_file
)
SELECT f.source_file, 'events' AS input, COALESCE(ev.records, 0) AS records,
       COALESCE(ev.accepted, 0) AS accepted, COALESCE(ev.records - ev.accepted, 0) AS rejected,
       f.blank_lines
FROM event_files AS f LEFT JOIN ev USING (source_file)
UNION ALL
SELECT f.source_file, 'songs', COALESCE(so.records, 0), COALESCE(so.accepted, 0),
       COALESCE(so.records - so.accepted, 0), 0
FROM song_files_text AS f LEFT JOIN so USING (source_file);
