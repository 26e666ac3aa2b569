INSERT INTO "staging"."loaded_files" ("run_id", "source_file", "input", "checksum", "size_bytes", "records", "accepted", "rejected", "loaded_at") VALUES %s
