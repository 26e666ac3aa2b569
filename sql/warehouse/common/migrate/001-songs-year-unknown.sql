-- Migration: an unknown song year is NULL, not the raw 0 (AVG(year), year filters).
ALTER TABLE songs ALTER COLUMN year DROP NOT NULL;
UPDATE songs SET year = NULL WHERE year = 0;
