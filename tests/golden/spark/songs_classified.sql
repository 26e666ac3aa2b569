/* Every raw song record with its verdict: reject_reason NULL means accepted. */
/* Domain rules beyond types, then one record per song_id: the first read (by file, line) wins. */
WITH checked AS (
  SELECT
    *,
    CASE
      WHEN NOT reject_reason IS NULL
      THEN reject_reason
      WHEN duration <= 0
      THEN 'invalid_value'
      WHEN NOT artist_latitude BETWEEN -90 AND 90
      THEN 'invalid_value'
      WHEN NOT artist_longitude BETWEEN -180 AND 180
      THEN 'invalid_value'
      WHEN year <> 0 AND NOT year BETWEEN 1000 AND 2100
      THEN 'invalid_value'
    END AS pre_reason,
    CASE
      WHEN NOT reject_reason IS NULL
      THEN reject_detail
      WHEN duration <= 0
      THEN 'duration'
      WHEN NOT artist_latitude BETWEEN -90 AND 90
      THEN 'artist_latitude'
      WHEN NOT artist_longitude BETWEEN -180 AND 180
      THEN 'artist_longitude'
      WHEN year <> 0 AND NOT year BETWEEN 1000 AND 2100
      THEN 'year'
    END AS pre_detail
  FROM songs_checked
), ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY pre_reason IS NULL, song_id
      ORDER BY source_file NULLS LAST, record_position NULLS LAST
    ) AS key_rank
  FROM checked
)
SELECT
  source_file,
  record_position,
  song_id,
  title,
  artist_id,
  artist_name,
  artist_location,
  artist_latitude,
  artist_longitude,
  COALESCE(year, 0) AS year,
  duration,
  CASE
    WHEN pre_reason IS NULL AND key_rank > 1
    THEN 'duplicate_song'
    ELSE pre_reason
  END AS reject_reason,
  CASE WHEN pre_reason IS NULL AND key_rank > 1 THEN 'song_id' ELSE pre_detail END AS reject_detail
FROM ranked
