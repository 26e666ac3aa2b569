-- DuckDB engine: a fingerprint of the songs table's content, to skip rewriting its ~10k partitions
-- when the catalogue did not change since the published lake was written.
SELECT md5(COALESCE(string_agg(concat_ws('|', song_id, title, artist_id, artist_name, CAST(year AS VARCHAR),
                                         CAST(duration AS VARCHAR)), chr(10) ORDER BY song_id), ''))
FROM songs
