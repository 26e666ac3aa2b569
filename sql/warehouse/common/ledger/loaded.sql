-- Each input file as it was when last loaded (the ledger's view of "already loaded"): checksum,
-- size and load time (an earlier day's file whose size or modification time moved is checked).
SELECT source_file, checksum, size_bytes, loaded_at
FROM (
    SELECT source_file, checksum, size_bytes, loaded_at,
           ROW_NUMBER() OVER (PARTITION BY source_file ORDER BY loaded_at DESC, run_id DESC) AS recency
    FROM loaded_files
) AS latest
WHERE recency = 1
