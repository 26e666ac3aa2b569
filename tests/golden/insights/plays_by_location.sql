WITH plays AS (
  SELECT
    user_id,
    length,
    CASE
      WHEN location IS NULL OR location = ''
      THEN 'unknown'
      ELSE SPLIT_PART(location, ', ', 1)
    END AS city,
    CASE
      WHEN location IS NULL OR location = ''
      THEN 'unknown'
      ELSE SPLIT_PART(SPLIT_PART(location, ', ', 2), '-', 1)
    END AS state
  FROM events
  WHERE
    page = 'NextSong'
    AND NOT user_id IS NULL
    AND start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
)
SELECT
  city,
  state,
  COUNT(DISTINCT user_id) AS listeners,
  COUNT(*) AS plays,
  SUM(length) / 60.0 AS minutes
FROM plays
GROUP BY
  city,
  state
ORDER BY
  plays DESC,
  state,
  city
