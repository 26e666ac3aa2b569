CREATE TEMP TABLE "delta_songplays" AS
SELECT s.*, t."songplay_id" IS NULL AS is_new
FROM "staging"."songplays" AS s
LEFT JOIN "songplays" AS t ON t."songplay_id" = s."songplay_id"
WHERE t."songplay_id" IS NULL
   OR (t."start_time" <> s."start_time"
       OR t."user_id" <> s."user_id"
       OR t."level" <> s."level"
       OR (t."song_id" <> s."song_id" OR (t."song_id" IS NULL AND s."song_id" IS NOT NULL) OR (t."song_id" IS NOT NULL AND s."song_id" IS NULL))
       OR (t."artist_id" <> s."artist_id" OR (t."artist_id" IS NULL AND s."artist_id" IS NOT NULL) OR (t."artist_id" IS NOT NULL AND s."artist_id" IS NULL))
       OR t."session_id" <> s."session_id"
       OR (t."location" <> s."location" OR (t."location" IS NULL AND s."location" IS NOT NULL) OR (t."location" IS NOT NULL AND s."location" IS NULL))
       OR (t."user_agent" <> s."user_agent" OR (t."user_agent" IS NULL AND s."user_agent" IS NOT NULL) OR (t."user_agent" IS NOT NULL AND s."user_agent" IS NULL)))
