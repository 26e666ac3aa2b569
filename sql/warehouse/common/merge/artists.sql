-- Upsert artists: changed rows are updated, new ones inserted; the run's variant choice wins.
UPDATE artists AS t
SET name = s.name, location = s.location, latitude = s.latitude, longitude = s.longitude
FROM staging.artists AS s
WHERE t.artist_id = s.artist_id
  AND (t.name IS DISTINCT FROM s.name OR t.location IS DISTINCT FROM s.location
       OR t.latitude IS DISTINCT FROM s.latitude OR t.longitude IS DISTINCT FROM s.longitude);
INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT s.artist_id, s.name, s.location, s.latitude, s.longitude
FROM staging.artists AS s
WHERE NOT EXISTS (SELECT 1 FROM artists AS t WHERE t.artist_id = s.artist_id);
