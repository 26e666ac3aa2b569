-- Rows the last COPY of this session loaded (psycopg2's rowcount is not reliable for COPY on Redshift).
SELECT pg_last_copy_count()
