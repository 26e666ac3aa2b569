-- Migration: time.iso_year (see ../../common/migrate/). Redshift cannot add NOT NULL to an existing
-- column: the column stays nullable here; the pipeline always fills it.
ALTER TABLE "time" ADD COLUMN iso_year INTEGER;
UPDATE "time" SET iso_year = year + CASE WHEN month = 1 AND week >= 52 THEN -1 WHEN month = 12 AND week = 1 THEN 1 ELSE 0 END;
