-- Song match rate over time: the share of each day's songplays matched to a catalogue song, every day.
WITH
{{calendar}},
per_day AS (
    SELECT CAST(start_time AS DATE) AS day, COUNT(*) AS plays, COUNT(song_id) AS matched_plays,
           COUNT(song_id) * 1.0 / COUNT(*) AS match_rate
    FROM songplays
    WHERE start_time >= {{start}} AND start_time < {{end}}
    GROUP BY CAST(start_time AS DATE)
)
-- A day without plays has no rate (NULL), so a chart breaks its line there instead of drawing 0.
SELECT c.day, COALESCE(p.plays, 0) AS plays, COALESCE(p.matched_plays, 0) AS matched_plays, p.match_rate
FROM calendar AS c
LEFT JOIN per_day AS p ON p.day = c.day
ORDER BY c.day
