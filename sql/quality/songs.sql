-- The run's songs: staged rows (gate 2) or the lake table (gate 1).
SELECT song_id, title, artist_id, artist_name, year, duration
FROM staging.songs
