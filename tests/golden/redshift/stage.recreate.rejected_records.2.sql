CREATE TABLE staging."rejected_records" (LIKE "rejected_records") BACKUP NO
