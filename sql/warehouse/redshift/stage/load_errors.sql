-- The first rejected rows of the COPY that just failed, run in the SAME session after ROLLBACK
-- (an aborted transaction accepts no query; a new session would not know the COPY).
-- pg_last_copy_id() is that COPY when the load data was at fault; the second branch (the latest
-- query of this session that logged load errors) covers a COPY the id was not updated for.
-- Columnar (Parquet) COPY logs some errors only in the error message, with line_number -1.
SELECT TRIM(filename), line_number, TRIM(colname), TRIM(err_reason), TRIM(raw_line)
FROM stl_load_errors
WHERE query = pg_last_copy_id()
   OR query = (SELECT MAX(query) FROM stl_load_errors WHERE session = pg_backend_pid())
ORDER BY starttime, line_number
LIMIT 5
