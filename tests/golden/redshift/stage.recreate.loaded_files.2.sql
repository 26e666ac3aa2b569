CREATE TABLE staging."loaded_files" (LIKE "loaded_files") BACKUP NO
