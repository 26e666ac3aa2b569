ALTER TABLE "songs" ADD COLUMN "year_nullable" INTEGER
