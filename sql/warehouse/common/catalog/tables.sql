-- The tables of the current schema (information_schema: the same in every dialect).
SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
