-- The time of the last play: the default train/test split counts its test days back from it.
SELECT MAX(start_time) AS last_play
FROM events
WHERE page = 'NextSong' AND user_id IS NOT NULL
