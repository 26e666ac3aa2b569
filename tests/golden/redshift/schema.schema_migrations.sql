CREATE TABLE IF NOT EXISTS schema_migrations (
    id VARCHAR(128) NOT NULL,
    applied_at TIMESTAMP NOT NULL
)
