-- Upsert songs: changed rows are updated, new ones inserted.
UPDATE songs AS t
SET title = s.title, artist_id = s.artist_id, artist_name = s.artist_name, year = s.year, duration = s.duration
FROM staging.songs AS s
WHERE t.song_id = s.song_id
  AND (t.title IS DISTINCT FROM s.title OR t.artist_id IS DISTINCT FROM s.artist_id
       OR t.artist_name IS DISTINCT FROM s.artist_name OR t.year IS DISTINCT FROM s.year
       OR t.duration IS DISTINCT FROM s.duration);
INSERT INTO songs (song_id, title, artist_id, artist_name, year, duration)
SELECT s.song_id, s.title, s.artist_id, s.artist_name, s.year, s.duration
FROM staging.songs AS s
WHERE NOT EXISTS (SELECT 1 FROM songs AS t WHERE t.song_id = s.song_id);
