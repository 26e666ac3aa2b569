INSERT INTO "songs" ("song_id", "title", "artist_id", "artist_name", "year", "duration")
SELECT s."song_id", s."title", s."artist_id", s."artist_name", s."year", s."duration"
FROM "staging"."songs" AS s
WHERE NOT EXISTS (SELECT 1 FROM "songs" AS t WHERE t."song_id" = s."song_id")
