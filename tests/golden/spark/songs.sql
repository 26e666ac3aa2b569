/* Dimension songs: one row per song_id, keeping the song record's own artist_name. */
SELECT
  song_id,
  title,
  artist_id,
  artist_name,
  CAST(year AS INT) AS year,
  duration
FROM songs_classified
WHERE
  reject_reason IS NULL
