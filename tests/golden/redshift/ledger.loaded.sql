SELECT source_file, checksum, size_bytes, loaded_at
FROM (
    SELECT source_file, checksum, size_bytes, loaded_at,
           ROW_NUMBER() OVER (PARTITION BY source_file ORDER BY loaded_at DESC, run_id DESC) AS recency
    FROM loaded_files
) AS latest
WHERE recency = 1
