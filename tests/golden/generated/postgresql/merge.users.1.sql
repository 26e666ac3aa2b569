UPDATE "users" AS t
SET "first_name" = s."first_name", "last_name" = s."last_name", "gender" = s."gender", "level" = s."level", "level_ts" = s."level_ts"
FROM "staging"."users" AS s
WHERE t."user_id" = s."user_id"
  AND s."level_ts" >= t."level_ts"
  AND (t."first_name" IS DISTINCT FROM s."first_name"
       OR t."last_name" IS DISTINCT FROM s."last_name"
       OR t."gender" IS DISTINCT FROM s."gender"
       OR t."level" IS DISTINCT FROM s."level"
       OR t."level_ts" IS DISTINCT FROM s."level_ts")
