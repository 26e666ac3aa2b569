-- COPY raw JSON files (every object under the prefix) into a raw staging table, fields mapped by a
-- JSONPaths file. ts stays epoch milliseconds (BIGINT). No MAXERROR: a bad record fails the load
-- and stl_load_errors names it.
COPY staging.{{table}} FROM {{source}} IAM_ROLE {{iam_role}} FORMAT AS JSON {{jsonpaths}}{{region}}
