UPDATE "artists" AS t
SET "name" = s."name", "location" = s."location", "latitude" = s."latitude", "longitude" = s."longitude"
FROM "staging"."artists" AS s
WHERE t."artist_id" = s."artist_id"
  AND (t."name" IS DISTINCT FROM s."name"
       OR t."location" IS DISTINCT FROM s."location"
       OR t."latitude" IS DISTINCT FROM s."latitude"
       OR t."longitude" IS DISTINCT FROM s."longitude")
