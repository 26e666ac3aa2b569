SELECT
  (
    SELECT
      COUNT(*)
    FROM songplays
  ) AS songplays,
  (
    SELECT
      COUNT(*)
    FROM events
    WHERE
      page = 'NextSong' AND NOT user_id IS NULL
  ) AS event_plays
