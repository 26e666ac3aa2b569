-- Every raw record that failed the contract, kept with its reason (codes: music_analytics.contract.REASONS).
-- DISTSTYLE KEY: DISTKEY(source_file): the merge matches on (source_file, line_number) and deletes a reloaded
-- file's stale verdicts by source_file; with staging sharing the key (LIKE) both are collocated. Audit
-- queries group by file too. COMPOUND SORTKEY(source_file, line_number): the merge key, and the order rows
-- are read in.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "rejected_records" (
    "source_file" VARCHAR(1024) NOT NULL,
    "line_number" BIGINT NOT NULL,
    "input" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "detail" VARCHAR(256),
    "raw" VARCHAR(65535),
    PRIMARY KEY ("source_file", "line_number")
)
DISTSTYLE KEY
DISTKEY ("source_file")
COMPOUND SORTKEY ("source_file", "line_number")
