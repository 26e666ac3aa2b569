-- Migration: an unknown song year is NULL, not the raw 0 (see ../../common/migrate/). Redshift cannot
-- drop NOT NULL from a column: the column is replaced by a nullable copy (it moves to the end of the
-- table; every statement names its columns).
ALTER TABLE songs ADD COLUMN year_known INTEGER;
UPDATE songs SET year_known = CASE WHEN year = 0 THEN NULL ELSE year END;
ALTER TABLE songs DROP COLUMN year;
ALTER TABLE songs RENAME COLUMN year_known TO year;
