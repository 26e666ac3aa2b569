-- Whether a table exists in the current schema (information_schema: the same in every dialect).
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {{table}}
