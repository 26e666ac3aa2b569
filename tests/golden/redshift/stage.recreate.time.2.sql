CREATE TABLE staging."time" (LIKE "time") BACKUP NO
