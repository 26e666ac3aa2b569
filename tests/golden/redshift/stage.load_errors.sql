SELECT TRIM(filename), line_number, TRIM(colname), TRIM(err_reason), TRIM(raw_line)
FROM stl_load_errors
WHERE query = pg_last_copy_id()
   OR query = (SELECT MAX(query) FROM stl_load_errors WHERE session = pg_backend_pid())
ORDER BY starttime, line_number
LIMIT 5
