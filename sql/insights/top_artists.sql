-- Top artists of the period by plays and by minutes listened (artists as the log names them).
WITH per_artist AS (
    SELECT artist, COUNT(*) AS plays, SUM(length) / 60.0 AS minutes, COUNT(DISTINCT user_id) AS listeners,
           COUNT(DISTINCT song) AS songs
    FROM events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND start_time >= {{start}} AND start_time < {{end}}
    GROUP BY artist
),
ranked AS (
    SELECT
        ROW_NUMBER() OVER (ORDER BY plays DESC, minutes DESC, artist) AS rank_by_plays,
        ROW_NUMBER() OVER (ORDER BY minutes DESC, plays DESC, artist) AS rank_by_minutes,
        artist, plays, minutes, listeners, songs
    FROM per_artist
)
SELECT rank_by_plays, rank_by_minutes, artist, plays, minutes, listeners, songs
FROM ranked
WHERE rank_by_plays <= {{limit}} OR rank_by_minutes <= {{limit}}
ORDER BY rank_by_plays
