WITH plays AS (
  SELECT
    p.level,
    CAST(EXTRACT(HOUR FROM p.start_time) AS INTEGER) AS hour,
    CAST(EXTRACT(HOUR FROM (
      p.start_time AT TIME ZONE 'UTC'
    ) AT TIME ZONE s.time_zone) AS INTEGER) AS local_hour,
    CASE WHEN NOT k.skipped IS NULL THEN 1 ELSE 0 END AS judged,
    CASE WHEN k.skipped THEN 1 ELSE 0 END AS skipped
  FROM songplays AS p
  JOIN play_skips AS k
    ON k.songplay_id = p.songplay_id
  JOIN sessions AS s
    ON s.user_id = p.user_id AND s.session_id = p.session_id
  WHERE
    p.start_time >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    AND p.start_time < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
), grouped AS (
  SELECT
    1 AS dimension_order,
    'all' AS dimension,
    'all' AS value,
    0 AS value_order,
    COUNT(*) AS plays,
    SUM(judged) AS judged_plays,
    SUM(skipped) AS skips
  FROM plays
  HAVING
    COUNT(*) > 0
  UNION ALL
  SELECT
    2,
    'level',
    level,
    0,
    COUNT(*),
    SUM(judged),
    SUM(skipped)
  FROM plays
  GROUP BY
    level
  UNION ALL
  SELECT
    3,
    'hour',
    CAST(hour AS VARCHAR(2)),
    hour,
    COUNT(*),
    SUM(judged),
    SUM(skipped)
  FROM plays
  GROUP BY
    hour
  UNION ALL
  SELECT
    4,
    'local_hour',
    CAST(local_hour AS VARCHAR(2)),
    local_hour,
    COUNT(*),
    SUM(judged),
    SUM(skipped)
  FROM plays
  GROUP BY
    local_hour
)
SELECT
  dimension,
  value,
  plays,
  judged_plays,
  skips,
  skips * 1.0 / NULLIF(judged_plays, 0) AS skip_rate
FROM grouped
ORDER BY
  dimension_order,
  value_order,
  value
