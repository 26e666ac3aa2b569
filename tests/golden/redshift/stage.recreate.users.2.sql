CREATE TABLE staging."users" (LIKE "users") BACKUP NO
