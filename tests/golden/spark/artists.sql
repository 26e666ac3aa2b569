/* Dimension artists: one row per artist_id. When an artist's songs disagree (spelling variants, */
/* locations), the most frequent (name, location, latitude, longitude) variant wins; ties go to */
/* the variant of the smallest song_id. Deterministic whatever the file order. An empty location */
/* (the catalogue's "unknown") is NULL, so it counts with the absent ones. */
WITH variants AS (
  SELECT
    artist_id,
    artist_name AS name,
    NULLIF(artist_location, '') AS location,
    artist_latitude AS latitude,
    artist_longitude AS longitude,
    COUNT(*) AS songs,
    MIN(song_id) AS first_song_id
  FROM songs_classified
  WHERE
    reject_reason IS NULL
  GROUP BY
    artist_id,
    artist_name,
    NULLIF(artist_location, ''),
    artist_latitude,
    artist_longitude
), ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY artist_id ORDER BY songs DESC, first_song_id NULLS LAST) AS variant_rank
  FROM variants
)
SELECT
  artist_id,
  name,
  location,
  latitude,
  longitude
FROM ranked
WHERE
  variant_rank = 1
