-- A gate's materialized suite rows (materialize.sql), once GX has validated them.
DROP TABLE IF EXISTS staging.{{table}};
