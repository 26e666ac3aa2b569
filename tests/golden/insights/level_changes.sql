WITH stretches AS (
  SELECT
    user_id,
    level,
    valid_from,
    valid_to,
    ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY valid_from) AS stretch_number
  FROM user_levels
), last_event AS (
  SELECT
    MAX(start_time) AS last_at
  FROM events
), in_period AS (
  SELECT
    s.*,
    CASE
      WHEN s.stretch_number > 1
      AND s.valid_from >= CAST('2018-11-01 00:00:00' AS TIMESTAMP)
      AND s.valid_from < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
      THEN 1
      ELSE 0
    END AS changed_in_period,
    (
      EXTRACT(EPOCH FROM COALESCE(s.valid_to, e.last_at)) - EXTRACT(EPOCH FROM s.valid_from)
    ) / 86400.0 AS days
  FROM stretches AS s
  CROSS JOIN last_event AS e
  WHERE
    s.valid_from < CAST('2018-12-01 00:00:00' AS TIMESTAMP)
    AND (
      s.valid_to IS NULL OR s.valid_to > CAST('2018-11-01 00:00:00' AS TIMESTAMP)
    )
)
SELECT
  COALESCE(SUM(CASE WHEN level = 'paid' THEN changed_in_period ELSE 0 END), 0) AS upgrades,
  COALESCE(SUM(CASE WHEN level = 'free' THEN changed_in_period ELSE 0 END), 0) AS downgrades,
  COUNT(DISTINCT CASE WHEN level = 'free' THEN user_id END) AS free_users,
  COUNT(DISTINCT CASE WHEN level = 'paid' THEN user_id END) AS paid_users,
  COUNT(DISTINCT CASE WHEN level = 'paid' AND changed_in_period = 1 THEN user_id END) * 1.0 / NULLIF(COUNT(DISTINCT CASE WHEN level = 'free' THEN user_id END), 0) AS conversion_rate,
  COUNT(DISTINCT CASE WHEN level = 'free' AND changed_in_period = 1 THEN user_id END) * 1.0 / NULLIF(COUNT(DISTINCT CASE WHEN level = 'paid' THEN user_id END), 0) AS downgrade_rate,
  AVG(CASE WHEN level = 'paid' THEN days END) AS avg_paid_days,
  COUNT(CASE WHEN level = 'paid' AND valid_to IS NULL THEN 1 END) AS open_paid_stretches
FROM in_period
