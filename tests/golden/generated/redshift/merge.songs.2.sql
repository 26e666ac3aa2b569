MERGE INTO "songs" USING "delta_songs" AS s ON "songs"."song_id" = s."song_id"
WHEN MATCHED THEN UPDATE SET "title" = s."title", "artist_id" = s."artist_id", "artist_name" = s."artist_name", "year" = s."year", "duration" = s."duration"
WHEN NOT MATCHED THEN INSERT ("song_id", "title", "artist_id", "artist_name", "year", "duration")
    VALUES (s."song_id", s."title", s."artist_id", s."artist_name", s."year", s."duration")
