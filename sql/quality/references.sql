-- Broken references only: a clean run yields no rows. Each column holds a dangling key, NULL
-- elsewhere. Dimensions are the run's staged rows plus what is already published, so a run may
-- refer to a song or user loaded earlier.
WITH known_users AS (
    SELECT user_id FROM staging.users UNION SELECT user_id FROM users
),
known_songs AS (
    SELECT song_id FROM staging.songs UNION SELECT song_id FROM songs
),
known_artists AS (
    SELECT artist_id FROM staging.artists UNION SELECT artist_id FROM artists
),
known_times AS (
    SELECT start_time FROM staging."time" UNION SELECT start_time FROM "time"
),
play_refs AS (
    SELECT
        CAST(p.songplay_id AS VARCHAR(64)) AS row_key,
        CASE WHEN p.user_id IS NOT NULL AND u.user_id IS NULL THEN p.user_id END AS songplays_user_id,
        CASE WHEN p.song_id IS NOT NULL AND s.song_id IS NULL THEN p.song_id END AS songplays_song_id,
        CASE WHEN p.artist_id IS NOT NULL AND a.artist_id IS NULL THEN p.artist_id END AS songplays_artist_id,
        CASE WHEN p.start_time IS NOT NULL AND t.start_time IS NULL
            THEN CAST(p.start_time AS VARCHAR(32)) END AS songplays_start_time,
        CAST(NULL AS VARCHAR(64)) AS songs_artist_id
    FROM staging.songplays AS p
    LEFT JOIN known_users AS u ON u.user_id = p.user_id
    LEFT JOIN known_songs AS s ON s.song_id = p.song_id
    LEFT JOIN known_artists AS a ON a.artist_id = p.artist_id
    LEFT JOIN known_times AS t ON t.start_time = p.start_time
),
song_refs AS (
    SELECT
        s.song_id AS row_key,
        CAST(NULL AS VARCHAR(64)) AS songplays_user_id,
        CAST(NULL AS VARCHAR(64)) AS songplays_song_id,
        CAST(NULL AS VARCHAR(64)) AS songplays_artist_id,
        CAST(NULL AS VARCHAR(32)) AS songplays_start_time,
        s.artist_id AS songs_artist_id
    FROM staging.songs AS s
    LEFT JOIN known_artists AS a ON a.artist_id = s.artist_id
    WHERE s.artist_id IS NOT NULL AND a.artist_id IS NULL
)
SELECT * FROM play_refs
WHERE songplays_user_id IS NOT NULL OR songplays_song_id IS NOT NULL OR songplays_artist_id IS NOT NULL
   OR songplays_start_time IS NOT NULL
UNION ALL
SELECT * FROM song_refs
