WITH per_artist AS (
  SELECT
    artist,
    COUNT(*) AS plays,
    SUM(length) / 60.0 AS minutes,
    COUNT(DISTINCT user_id) AS listeners,
    COUNT(DISTINCT song) AS songs
  FROM events
  WHERE
    page = 'NextSong'
    AND NOT user_id IS NULL
    AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    artist
), ranked AS (
  SELECT
    ROW_NUMBER() OVER (ORDER BY plays DESC, minutes DESC, artist) AS rank_by_plays,
    ROW_NUMBER() OVER (ORDER BY minutes DESC, plays DESC, artist) AS rank_by_minutes,
    artist,
    plays,
    minutes,
    listeners,
    songs
  FROM per_artist
)
SELECT
  rank_by_plays,
  rank_by_minutes,
  artist,
  plays,
  minutes,
  listeners,
  songs
FROM ranked
WHERE
  rank_by_plays <= 10 OR rank_by_minutes <= 10
ORDER BY
  rank_by_plays
