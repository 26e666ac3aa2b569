-- Which migrations (sql/warehouse/<dialect>/migrate/) this warehouse has: a table created in its
-- current shape records them at once, an older table gets them applied (Warehouse.create_schema).
CREATE TABLE IF NOT EXISTS schema_migrations (
    id VARCHAR(128) NOT NULL,
    applied_at TIMESTAMP NOT NULL
)
