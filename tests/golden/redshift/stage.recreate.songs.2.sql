CREATE TABLE staging."songs" (LIKE "songs") BACKUP NO
