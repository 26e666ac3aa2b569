-- Dimension songs: one row per song_id, keeping the song record's own artist_name. The raw year 0
-- (and an absent year) means unknown: NULL here, so AVG(year) or a year filter is never skewed.
SELECT
    song_id,
    title,
    artist_id,
    artist_name,
    CAST(NULLIF(year, 0) AS INTEGER) AS year,
    duration
FROM songs_classified
WHERE reject_reason IS NULL
