-- Spark engine: song file contents (song_file_text: Spark's whole-text read) without a BOM,
-- every listed file included (an empty file yields no text row).
SELECT f.source_file, COALESCE(t.content, '') AS content
FROM listed_song_files AS f
LEFT JOIN (SELECT substr(regexp_replace(url_decode(replace(file_path, '+', '%2B')), '^file:(//)?', ''),
                         {{prefix_len}}) AS source_file,
                  regexp_replace(value, '^\uFEFF', '') AS content
           FROM song_file_text) AS t
  ON t.source_file = f.source_file
