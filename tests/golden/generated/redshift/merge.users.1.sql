CREATE TEMP TABLE "delta_users" AS
SELECT s.*, t."user_id" IS NULL AS is_new
FROM "staging"."users" AS s
LEFT JOIN "users" AS t ON t."user_id" = s."user_id"
WHERE t."user_id" IS NULL
   OR (s."level_ts" >= t."level_ts"
       AND ((t."first_name" <> s."first_name" OR (t."first_name" IS NULL AND s."first_name" IS NOT NULL) OR (t."first_name" IS NOT NULL AND s."first_name" IS NULL))
       OR (t."last_name" <> s."last_name" OR (t."last_name" IS NULL AND s."last_name" IS NOT NULL) OR (t."last_name" IS NOT NULL AND s."last_name" IS NULL))
       OR (t."gender" <> s."gender" OR (t."gender" IS NULL AND s."gender" IS NOT NULL) OR (t."gender" IS NOT NULL AND s."gender" IS NULL))
       OR t."level" <> s."level"
       OR t."level_ts" <> s."level_ts"))
