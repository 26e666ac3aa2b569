MERGE INTO "users" USING "delta_users" AS s ON "users"."user_id" = s."user_id"
WHEN MATCHED THEN UPDATE SET "first_name" = s."first_name", "last_name" = s."last_name", "gender" = s."gender", "level" = s."level", "level_ts" = s."level_ts"
WHEN NOT MATCHED THEN INSERT ("user_id", "first_name", "last_name", "gender", "level", "level_ts")
    VALUES (s."user_id", s."first_name", s."last_name", s."gender", s."level", s."level_ts")
