INSERT INTO "pipeline_lease" ("run_id", "owner", "taken_at", "renewed_at") VALUES %s
