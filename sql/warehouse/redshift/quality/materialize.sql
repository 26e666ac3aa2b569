-- A suite's rows, computed once per gate (see common/quality/materialize.sql). Redshift has no
-- UNLOGGED tables (the PostgreSQL file would be found next on the search path).
DROP TABLE IF EXISTS staging.{{table}};
CREATE TABLE staging.{{table}} AS {{query}};
