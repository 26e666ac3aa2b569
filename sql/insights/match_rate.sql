-- Song match rate over time: the share of each day's songplays matched to a catalogue song.
SELECT CAST(start_time AS DATE) AS day, COUNT(*) AS plays, COUNT(song_id) AS matched_plays,
       COUNT(song_id) * 1.0 / COUNT(*) AS match_rate
FROM songplays
WHERE start_time >= {{start}} AND start_time < {{end}}
GROUP BY CAST(start_time AS DATE)
ORDER BY day
