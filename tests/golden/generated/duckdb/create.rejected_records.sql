-- Every raw record that failed the contract, kept with its reason (codes: music_analytics.contract.REASONS).
-- No PRIMARY KEY on DuckDB: its index maintenance made merges 4x slower; the merge never inserts a key twice
-- (NOT EXISTS).
CREATE TABLE IF NOT EXISTS "rejected_records" (
    "source_file" VARCHAR(1024) NOT NULL,
    "line_number" BIGINT NOT NULL,
    "input" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "detail" VARCHAR(256),
    "raw" VARCHAR(65535)
)
