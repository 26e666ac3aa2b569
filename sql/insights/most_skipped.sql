-- The most skipped songs and artists of the period (as the log names them), top N of each.
-- Ranked by skips, then skip rate, plays, names, among those skipped at least once; skip_rate = skips /
-- judged plays (play_skips).
WITH plays AS (
    SELECT e.song, e.artist,
           CASE WHEN k.skipped IS NOT NULL THEN 1 ELSE 0 END AS judged,
           CASE WHEN k.skipped THEN 1 ELSE 0 END AS skipped
    FROM events AS e
    JOIN play_skips AS k ON k.songplay_id = e.event_id
    WHERE e.start_time >= {{start}} AND e.start_time < {{end}}
),
per_item AS (
    SELECT 'song' AS kind, song, artist, COUNT(*) AS plays, SUM(judged) AS judged_plays, SUM(skipped) AS skips
    FROM plays
    GROUP BY song, artist
    UNION ALL
    SELECT 'artist', NULL, artist, COUNT(*), SUM(judged), SUM(skipped)
    FROM plays
    GROUP BY artist
),
ranked AS (
    SELECT kind, song, artist, plays, judged_plays, skips, skips * 1.0 / NULLIF(judged_plays, 0) AS skip_rate,
           ROW_NUMBER() OVER (
               PARTITION BY kind
               ORDER BY skips DESC, skips * 1.0 / NULLIF(judged_plays, 0) DESC, plays DESC, artist, song
           ) AS skip_rank
    FROM per_item
    WHERE skips > 0
)
SELECT kind, skip_rank, song, artist, plays, judged_plays, skips, skip_rate
FROM ranked
WHERE skip_rank <= {{limit}}
ORDER BY kind DESC, skip_rank
