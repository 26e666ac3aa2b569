-- Upsert songs: changed rows are updated, new ones inserted.
-- Redshift's MERGE takes no condition on WHEN MATCHED and its source must be a table (no
-- subquery), so the rows to write are selected first into a temporary delta table: new keys
-- (is_new) and changed rows. MERGE then updates or inserts exactly those, and merge/_counts.sql
-- reads the inserted/updated split from the delta. Null-safe comparisons are spelled out
-- (IS DISTINCT FROM is not documented for Redshift).
CREATE TEMP TABLE delta_songs AS
SELECT s.song_id, s.title, s.artist_id, s.artist_name, s.year, s.duration, t.song_id IS NULL AS is_new
FROM staging.songs AS s
LEFT JOIN songs AS t ON t.song_id = s.song_id
WHERE t.song_id IS NULL
   OR (t.title <> s.title
       OR t.artist_id <> s.artist_id
       OR t.artist_name <> s.artist_name
       OR (t.year <> s.year OR (t.year IS NULL AND s.year IS NOT NULL) OR (t.year IS NOT NULL AND s.year IS NULL))
       OR t.duration <> s.duration);
MERGE INTO songs USING delta_songs AS s ON songs.song_id = s.song_id
WHEN MATCHED THEN UPDATE SET title = s.title, artist_id = s.artist_id, artist_name = s.artist_name, year = s.year, duration = s.duration
WHEN NOT MATCHED THEN INSERT (song_id, title, artist_id, artist_name, year, duration)
    VALUES (s.song_id, s.title, s.artist_id, s.artist_name, s.year, s.duration);
