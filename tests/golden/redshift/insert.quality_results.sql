INSERT INTO "quality_results" ("run_id", "checked_at", "gate", "suite", "expectation", "column_name", "severity", "success", "unexpected_count", "element_count", "sample", "error") VALUES %s
