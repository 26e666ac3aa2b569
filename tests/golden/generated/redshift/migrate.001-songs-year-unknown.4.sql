ALTER TABLE "songs" RENAME COLUMN "year_nullable" TO "year"
