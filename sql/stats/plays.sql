-- Run statistics: plays (accepted NextSong events), logged-out plays, songplays, matched songplays.
SELECT
    (SELECT COUNT(*) FROM events WHERE page = 'NextSong') AS plays,
    (SELECT COUNT(*) FROM events WHERE page = 'NextSong' AND user_id = '') AS plays_without_user,
    (SELECT COUNT(*) FROM songplays) AS songplays,
    (SELECT COUNT(song_id) FROM songplays) AS matched
