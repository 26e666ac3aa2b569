MERGE INTO "artists" USING "delta_artists" AS s ON "artists"."artist_id" = s."artist_id"
WHEN MATCHED THEN UPDATE SET "name" = s."name", "location" = s."location", "latitude" = s."latitude", "longitude" = s."longitude"
WHEN NOT MATCHED THEN INSERT ("artist_id", "name", "location", "latitude", "longitude")
    VALUES (s."artist_id", s."name", s."location", s."latitude", s."longitude")
