CREATE TABLE staging."songplays" (LIKE "songplays") BACKUP NO
