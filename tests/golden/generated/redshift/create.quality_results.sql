-- Quality history: one row per expectation evaluated, per run and gate (lake | warehouse), passing or not, so
-- pass rates and unexpected counts can be followed over time.
-- DISTSTYLE EVEN: append-only history joined to nothing: rows only need to spread evenly.
-- SORTKEY(checked_at): rows are appended in time order and read by time range (pass rates over time), so the
-- zone maps skip old blocks.
CREATE TABLE IF NOT EXISTS "quality_results" (
    "run_id" VARCHAR(64) NOT NULL,
    "checked_at" TIMESTAMP NOT NULL,
    "gate" VARCHAR(16) NOT NULL,
    "suite" VARCHAR(64) NOT NULL,
    "expectation" VARCHAR(128) NOT NULL,
    "column_name" VARCHAR(256),
    "severity" VARCHAR(16) NOT NULL,
    "success" BOOLEAN NOT NULL,
    "unexpected_count" BIGINT,
    "element_count" BIGINT,
    "sample" VARCHAR(4096),
    "error" VARCHAR(4096)
)
DISTSTYLE EVEN
SORTKEY ("checked_at")
