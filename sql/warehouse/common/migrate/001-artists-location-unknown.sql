-- Migration: an unknown artist location is NULL, not the catalogue's empty string.
UPDATE artists SET location = NULL WHERE location = '';
