UPDATE "songs" AS t
SET "title" = s."title", "artist_id" = s."artist_id", "artist_name" = s."artist_name", "year" = s."year", "duration" = s."duration"
FROM "staging"."songs" AS s
WHERE t."song_id" = s."song_id"
  AND (t."title" IS DISTINCT FROM s."title"
       OR t."artist_id" IS DISTINCT FROM s."artist_id"
       OR t."artist_name" IS DISTINCT FROM s."artist_name"
       OR t."year" IS DISTINCT FROM s."year"
       OR t."duration" IS DISTINCT FROM s."duration")
