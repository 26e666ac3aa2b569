ALTER TABLE songs RENAME COLUMN year_known TO year
