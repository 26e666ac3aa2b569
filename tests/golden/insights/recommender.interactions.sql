WITH plays AS (
  SELECT
    e.event_id,
    e.user_id,
    e.session_id,
    e.item_in_session,
    e.ts,
    e.start_time,
    e.song,
    e.artist,
    e.length,
    p.song_id,
    CASE WHEN k.skipped THEN 1 ELSE 0 END AS skipped_play
  FROM events AS e
  LEFT JOIN songplays AS p
    ON p.songplay_id = e.event_id
  LEFT JOIN play_skips AS k
    ON k.songplay_id = e.event_id
  WHERE
    e.page = 'NextSong' AND NOT e.user_id IS NULL
), feedback AS (
  SELECT
    user_id,
    session_id,
    item_in_session,
    ts,
    start_time,
    page
  FROM events
  WHERE
    page IN ('Thumbs Up', 'Add to Playlist') AND NOT user_id IS NULL
), credited AS (
  SELECT
    f.user_id,
    f.session_id,
    f.ts,
    f.start_time,
    f.page,
    MAX(p.item_in_session) AS play_item
  FROM feedback AS f
  JOIN plays AS p
    ON p.user_id = f.user_id
    AND p.session_id = f.session_id
    AND p.item_in_session < f.item_in_session
  GROUP BY
    f.user_id,
    f.session_id,
    f.item_in_session,
    f.ts,
    f.start_time,
    f.page
), interactions AS (
  SELECT
    user_id,
    song,
    artist,
    song_id,
    start_time,
    ts,
    length,
    1 AS play,
    0 AS thumbs_up,
    0 AS playlist_add,
    skipped_play
  FROM plays
  UNION ALL
  SELECT
    c.user_id,
    p.song,
    p.artist,
    p.song_id,
    c.start_time,
    c.ts,
    NULL,
    0,
    CASE WHEN c.page = 'Thumbs Up' THEN 1 ELSE 0 END,
    CASE WHEN c.page = 'Add to Playlist' THEN 1 ELSE 0 END,
    0
  FROM credited AS c
  JOIN plays AS p
    ON p.user_id = c.user_id
    AND p.session_id = c.session_id
    AND p.item_in_session = c.play_item
)
SELECT
  CASE
    WHEN start_time < CAST('2018-11-24 00:00:00' AS TIMESTAMP)
    THEN 'train'
    ELSE 'test'
  END AS split,
  user_id,
  song,
  artist,
  MIN(song_id) AS song_id,
  SUM(play) AS plays,
  COALESCE(SUM(length), 0) / 60.0 AS minutes,
  SUM(thumbs_up) AS thumbs_up,
  SUM(playlist_add) AS playlist_adds,
  SUM(skipped_play) AS skips,
  MAX(ts) AS last_ts
FROM interactions
GROUP BY
  CASE
    WHEN start_time < CAST('2018-11-24 00:00:00' AS TIMESTAMP)
    THEN 'train'
    ELSE 'test'
  END,
  user_id,
  song,
  artist
ORDER BY
  split,
  user_id,
  artist,
  song
