CREATE TEMP TABLE "delta_songs" AS
SELECT s.*, t."song_id" IS NULL AS is_new
FROM "staging"."songs" AS s
LEFT JOIN "songs" AS t ON t."song_id" = s."song_id"
WHERE t."song_id" IS NULL
   OR (t."title" <> s."title"
       OR t."artist_id" <> s."artist_id"
       OR t."artist_name" <> s."artist_name"
       OR (t."year" <> s."year" OR (t."year" IS NULL AND s."year" IS NOT NULL) OR (t."year" IS NOT NULL AND s."year" IS NULL))
       OR t."duration" <> s."duration")
