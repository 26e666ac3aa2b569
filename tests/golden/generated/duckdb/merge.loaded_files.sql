INSERT INTO "loaded_files" ("run_id", "source_file", "input", "checksum", "size_bytes", "records", "accepted", "rejected", "loaded_at")
SELECT s."run_id", s."source_file", s."input", s."checksum", s."size_bytes", s."records", s."accepted", s."rejected", s."loaded_at"
FROM "staging"."loaded_files" AS s
