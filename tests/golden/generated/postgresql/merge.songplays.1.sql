UPDATE "songplays" AS t
SET "start_time" = s."start_time", "user_id" = s."user_id", "level" = s."level", "song_id" = s."song_id", "artist_id" = s."artist_id", "session_id" = s."session_id", "location" = s."location", "user_agent" = s."user_agent"
FROM "staging"."songplays" AS s
WHERE t."songplay_id" = s."songplay_id"
  AND (t."start_time" IS DISTINCT FROM s."start_time"
       OR t."user_id" IS DISTINCT FROM s."user_id"
       OR t."level" IS DISTINCT FROM s."level"
       OR t."song_id" IS DISTINCT FROM s."song_id"
       OR t."artist_id" IS DISTINCT FROM s."artist_id"
       OR t."session_id" IS DISTINCT FROM s."session_id"
       OR t."location" IS DISTINCT FROM s."location"
       OR t."user_agent" IS DISTINCT FROM s."user_agent")
