SELECT
  CASE WHEN EXISTS(
    SELECT
      1
    FROM songplays
  ) THEN 1 ELSE 0 END AS has_songplays,
  CASE WHEN EXISTS(
    SELECT
      1
    FROM events
  ) THEN 1 ELSE 0 END AS has_events
