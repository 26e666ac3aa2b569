-- Top songs of the period by plays and by minutes listened (songs as the log names them).
WITH per_song AS (
    SELECT song, artist, COUNT(*) AS plays, SUM(length) / 60.0 AS minutes, COUNT(DISTINCT user_id) AS listeners
    FROM events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
    GROUP BY song, artist
),
ranked AS (
    SELECT
        ROW_NUMBER() OVER (ORDER BY plays DESC, minutes DESC, artist, song) AS rank_by_plays,
        ROW_NUMBER() OVER (ORDER BY minutes DESC, plays DESC, artist, song) AS rank_by_minutes,
        song, artist, plays, minutes, listeners
    FROM per_song
)
SELECT rank_by_plays, rank_by_minutes, song, artist, plays, minutes, listeners
FROM ranked
WHERE rank_by_plays <= {{limit}} OR rank_by_minutes <= {{limit}}
ORDER BY rank_by_plays
