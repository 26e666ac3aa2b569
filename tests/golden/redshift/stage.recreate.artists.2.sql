CREATE TABLE staging."artists" (LIKE "artists") BACKUP NO
