/* Dimension songs: one row per song_id, keeping the song record's own artist_name. The raw year 0 */
/* (and an absent year) means unknown: NULL here, so AVG(year) or a year filter is never skewed. */
/* source_file is lineage for the lake (which file a loaded song came from); staging leaves it out. */
SELECT
  song_id,
  title,
  artist_id,
  artist_name,
  CAST(NULLIF(year, 0) AS INT) AS year,
  duration,
  source_file
FROM songs_classified
WHERE
  reject_reason IS NULL
