INSERT INTO "time" ("start_time", "hour", "day", "week", "month", "year", "weekday", "iso_year")
SELECT s."start_time", s."hour", s."day", s."week", s."month", s."year", s."weekday", s."iso_year"
FROM "staging"."time" AS s
WHERE NOT EXISTS (SELECT 1 FROM "time" AS t WHERE t."start_time" = s."start_time")
