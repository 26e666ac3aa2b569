CREATE TEMP TABLE "delta_artists" AS
SELECT s.*, t."artist_id" IS NULL AS is_new
FROM "staging"."artists" AS s
LEFT JOIN "artists" AS t ON t."artist_id" = s."artist_id"
WHERE t."artist_id" IS NULL
   OR ((t."name" <> s."name" OR (t."name" IS NULL AND s."name" IS NOT NULL) OR (t."name" IS NOT NULL AND s."name" IS NULL))
       OR (t."location" <> s."location" OR (t."location" IS NULL AND s."location" IS NOT NULL) OR (t."location" IS NOT NULL AND s."location" IS NULL))
       OR (t."latitude" <> s."latitude" OR (t."latitude" IS NULL AND s."latitude" IS NOT NULL) OR (t."latitude" IS NOT NULL AND s."latitude" IS NULL))
       OR (t."longitude" <> s."longitude" OR (t."longitude" IS NULL AND s."longitude" IS NOT NULL) OR (t."longitude" IS NOT NULL AND s."longitude" IS NULL)))
