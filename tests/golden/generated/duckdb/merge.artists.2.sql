INSERT INTO "artists" ("artist_id", "name", "location", "latitude", "longitude")
SELECT s."artist_id", s."name", s."location", s."latitude", s."longitude"
FROM "staging"."artists" AS s
WHERE NOT EXISTS (SELECT 1 FROM "artists" AS t WHERE t."artist_id" = s."artist_id")
