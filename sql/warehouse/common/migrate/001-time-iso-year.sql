-- Migration: time.iso_year, the ISO week-numbering year that pairs with week (a warehouse created
-- before it has every other column). Filled from the stored columns by the rule of
-- sql/transform/time.sql: the ISO year is one off the calendar year only around New Year.
ALTER TABLE "time" ADD COLUMN iso_year INTEGER;
UPDATE "time" SET iso_year = year + CASE WHEN month = 1 AND week >= 52 THEN -1 WHEN month = 12 AND week = 1 THEN 1 ELSE 0 END;
ALTER TABLE "time" ALTER COLUMN iso_year SET NOT NULL;
