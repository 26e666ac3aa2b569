/* Dimension time: one row per distinct songplays.start_time (UTC). */
/* week = ISO 8601 week (1-53) and iso_year its ISO week-numbering year, the pair to group weeks by */
/* (2018-12-31 is in week 1 of ISO year 2019; `year` stays the calendar year, paired with month/day). */
/* The ISO year differs from the calendar year only for early-January days in week 52/53 and */
/* late-December days in week 1. weekday = ISO 8601 day of week, 1 = Monday .. 7 = Sunday, computed */
/* from epoch days (1970-01-01 was a Thursday) so no engine's own day numbering is involved. */
WITH instants AS (
  SELECT DISTINCT
    start_time
  FROM songplays
)
SELECT
  start_time,
  CAST(EXTRACT(HOUR FROM start_time) AS INT) AS hour,
  CAST(EXTRACT(DAY FROM start_time) AS INT) AS day,
  CAST(WEEKOFYEAR(start_time) AS INT) AS week,
  CAST(EXTRACT(MONTH FROM start_time) AS INT) AS month,
  CAST(EXTRACT(YEAR FROM start_time) AS INT) AS year,
  CAST((
    CAST(FLOOR(EPOCH_MS_OF(start_time) / 86400000) AS BIGINT) + 3
  ) % 7 + 1 AS INT) AS weekday,
  CAST(EXTRACT(YEAR FROM start_time) AS INT) + CASE
    WHEN EXTRACT(MONTH FROM start_time) = 1 AND WEEKOFYEAR(start_time) >= 52
    THEN -1
    WHEN EXTRACT(MONTH FROM start_time) = 12 AND WEEKOFYEAR(start_time) = 1
    THEN 1
    ELSE 0
  END AS iso_year
FROM instants
