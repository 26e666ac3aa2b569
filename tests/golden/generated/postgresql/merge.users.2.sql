INSERT INTO "users" ("user_id", "first_name", "last_name", "gender", "level", "level_ts")
SELECT s."user_id", s."first_name", s."last_name", s."gender", s."level", s."level_ts"
FROM "staging"."users" AS s
WHERE NOT EXISTS (SELECT 1 FROM "users" AS t WHERE t."user_id" = s."user_id")
