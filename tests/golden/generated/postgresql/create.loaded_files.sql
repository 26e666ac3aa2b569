-- Run ledger, per input file: which run loaded which file with which content (SHA-256), and what came of its
-- records. Written in the merge transaction, so a row here means the file's rows are published; a later run
-- skips a file whose checksum is unchanged.
CREATE TABLE IF NOT EXISTS "loaded_files" (
    "run_id" VARCHAR(64) NOT NULL,
    "source_file" VARCHAR(1024) NOT NULL,
    "input" VARCHAR(8) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "records" BIGINT NOT NULL,
    "accepted" BIGINT NOT NULL,
    "rejected" BIGINT NOT NULL,
    "loaded_at" TIMESTAMP NOT NULL
)
