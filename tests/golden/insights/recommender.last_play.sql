SELECT
  MAX(start_time) AS last_play
FROM events
WHERE
  page = 'NextSong' AND NOT user_id IS NULL
