UPDATE "songs" SET "year_nullable" = "year"
