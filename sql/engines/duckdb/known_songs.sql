-- DuckDB engine: the songs the warehouse already holds, exported by the run's plan (Parquet).
CREATE TEMP VIEW known_songs AS
SELECT song_id, title, artist_id, artist_name, CAST(duration AS DOUBLE) AS duration
FROM read_parquet({{path}})
