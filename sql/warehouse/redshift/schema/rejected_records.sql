-- Redshift copy of ../../common/schema/rejected_records.sql (keep the columns in step with it).
-- "raw" is quoted: RAW is a reserved word on Redshift (a column encoding).
-- DISTKEY(source_file): the merge matches on (source_file, line_number) and deletes a reloaded
-- file's stale verdicts by source_file; with staging sharing the key (LIKE) both are collocated.
-- Audit queries group by file too. A file full of bad lines makes one slice heavier, which an
-- audit table of this size tolerates.
-- COMPOUND SORTKEY(source_file, line_number): the merge key, and the order rows are read in.
-- Every raw record that failed the contract, kept with its reason (codes: music_analytics.contract.REASONS).
CREATE TABLE IF NOT EXISTS rejected_records (
    source_file VARCHAR(1024) NOT NULL,
    line_number BIGINT NOT NULL,
    input VARCHAR(16) NOT NULL,
    reason VARCHAR(32) NOT NULL,
    detail VARCHAR(256),
    "raw" VARCHAR(65535),
    PRIMARY KEY (source_file, line_number)
)
DISTSTYLE KEY
DISTKEY (source_file)
COMPOUND SORTKEY (source_file, line_number)
