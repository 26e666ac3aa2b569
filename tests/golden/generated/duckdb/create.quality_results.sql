-- Quality history: one row per expectation evaluated, per run and gate (lake | warehouse), passing or not, so
-- pass rates and unexpected counts can be followed over time.
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
