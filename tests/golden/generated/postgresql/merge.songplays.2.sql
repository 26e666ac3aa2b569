INSERT INTO "songplays" ("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id", "location", "user_agent")
SELECT s."songplay_id", s."start_time", s."user_id", s."level", s."song_id", s."artist_id", s."session_id", s."location", s."user_agent"
FROM "staging"."songplays" AS s
WHERE NOT EXISTS (SELECT 1 FROM "songplays" AS t WHERE t."songplay_id" = s."songplay_id")
