-- DuckDB engine: no song catalogue (a run outside the pipeline's plan): plays match the run's songs only.
CREATE TEMP VIEW known_songs AS
SELECT CAST(NULL AS VARCHAR) AS song_id, CAST(NULL AS VARCHAR) AS title, CAST(NULL AS VARCHAR) AS artist_id,
       CAST(NULL AS VARCHAR) AS artist_name, CAST(NULL AS DOUBLE) AS duration
LIMIT 0
