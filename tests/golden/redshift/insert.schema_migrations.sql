INSERT INTO "schema_migrations" ("id", "applied_at") VALUES %s
