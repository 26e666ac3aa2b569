MERGE INTO "songplays" USING "delta_songplays" AS s ON "songplays"."songplay_id" = s."songplay_id"
WHEN MATCHED THEN UPDATE SET "start_time" = s."start_time", "user_id" = s."user_id", "level" = s."level", "song_id" = s."song_id", "artist_id" = s."artist_id", "session_id" = s."session_id", "location" = s."location", "user_agent" = s."user_agent"
WHEN NOT MATCHED THEN INSERT ("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id", "location", "user_agent")
    VALUES (s."songplay_id", s."start_time", s."user_id", s."level", s."song_id", s."artist_id", s."session_id", s."location", s."user_agent")
