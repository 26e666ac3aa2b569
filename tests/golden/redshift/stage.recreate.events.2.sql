CREATE TABLE staging."events" (LIKE "events") BACKUP NO
