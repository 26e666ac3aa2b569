SELECT pg_last_copy_count()
