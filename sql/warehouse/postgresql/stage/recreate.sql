-- Staging tables are scratch copies of the target's shape, rebuilt every run. UNLOGGED: they are
-- refilled from the lake after a crash anyway, and skipping the WAL makes COPY much faster.
DROP TABLE IF EXISTS staging.{{table}};
CREATE UNLOGGED TABLE staging.{{table}} AS SELECT * FROM {{table}} WHERE 1 = 0;
