-- Spark engine: song files that are not exactly one JSON value (several objects, or text that
-- does not parse), to be split by the engine.
SELECT f.source_file, f.content
FROM song_files_parsed AS f
LEFT JOIN song_files_odd AS o ON o.source_file = f.source_file
WHERE COALESCE(o.verdict, f.parse_verdict) = 'not_json'
