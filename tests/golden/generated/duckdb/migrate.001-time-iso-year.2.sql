UPDATE "time" SET "iso_year" = year + CASE WHEN month = 1 AND week >= 52 THEN -1 WHEN month = 12 AND week = 1 THEN 1 ELSE 0 END
