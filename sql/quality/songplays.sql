-- The run's songplays: staged rows (gate 2) or the lake table (gate 1).
SELECT songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
FROM staging.songplays
