-- Staging tables are scratch copies of the target's shape, rebuilt every run so they follow the
-- target's columns. They never hold user data.
DROP TABLE IF EXISTS staging.{{table}};
CREATE TABLE staging.{{table}} AS SELECT * FROM {{table}} WHERE 1 = 0;
