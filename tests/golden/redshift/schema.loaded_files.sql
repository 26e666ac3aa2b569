CREATE TABLE IF NOT EXISTS loaded_files (
    run_id VARCHAR(64) NOT NULL,
    source_file VARCHAR(1024) NOT NULL,
    input VARCHAR(8) NOT NULL,
    checksum VARCHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    records BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)
DISTSTYLE KEY
DISTKEY (source_file)
COMPOUND SORTKEY (source_file, loaded_at)
