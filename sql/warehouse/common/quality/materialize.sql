-- A suite's rows, computed once per gate: GX's SQL engine then runs each of its metric queries
-- (10-20 a suite) over this table, instead of running the suite's query again for every one
-- (a reconciliation counts every staged table). Dropped when the gate ends (drop.sql).
DROP TABLE IF EXISTS staging.{{table}};
CREATE TABLE staging.{{table}} AS {{query}};
