/* Every raw song record with its verdict: reject_reason NULL means accepted. The per-record checks */
/* (domains included) come from the contract (songs_checked); this adds the one rule that spans */
/* records: one record per song_id, the first read (by file, line) wins. */
WITH ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY reject_reason IS NULL, song_id
      ORDER BY source_file NULLS LAST, record_position NULLS LAST
    ) AS key_rank
  FROM songs_checked
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
    WHEN reject_reason IS NULL AND key_rank > 1
    THEN 'duplicate_song'
    ELSE reject_reason
  END AS reject_reason,
  CASE
    WHEN reject_reason IS NULL AND key_rank > 1
    THEN 'song_id'
    ELSE reject_detail
  END AS reject_detail
FROM ranked
