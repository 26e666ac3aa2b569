-- Fact songplays: one row per accepted NextSong event with a user.
-- songplay_id is the event's event_id (a hash of its natural key), so reruns and reloads never duplicate.
-- source_file is lineage for the lake (its partitions are by source file); staging leaves it out.
-- The song match is exact on (title, the song record's own artist_name, duration), against the
-- run's songs and the songs the warehouse already holds (known_songs: an incremental run reads
-- only new song files); the run's own record of a song wins. When several songs share that
-- triple the smallest song_id wins. Unmatched plays keep NULL ids.
WITH candidates AS (
    SELECT song_id, title, artist_id, artist_name, duration
    FROM songs
    UNION ALL
    SELECT k.song_id, k.title, k.artist_id, k.artist_name, k.duration
    FROM known_songs AS k
    WHERE NOT EXISTS (SELECT 1 FROM songs AS s WHERE s.song_id = k.song_id)
),
catalogue AS (
    SELECT title, artist_name, duration, MIN(song_id) AS song_id
    FROM candidates
    GROUP BY title, artist_name, duration
),
matched AS (
    SELECT c.title, c.artist_name, c.duration, c.song_id, s.artist_id
    FROM catalogue AS c
    JOIN candidates AS s ON s.song_id = c.song_id
)
SELECT
    e.event_id AS songplay_id,
    e.start_time,
    e.user_id,
    e.level,
    m.song_id,
    m.artist_id,
    e.session_id,
    e.location,
    e.user_agent,
    e.source_file
FROM events AS e
LEFT JOIN matched AS m
    ON m.title = e.song AND m.artist_name = e.artist AND m.duration = e.length
WHERE e.page = 'NextSong' AND e.user_id <> ''
