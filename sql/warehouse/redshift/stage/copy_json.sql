-- Load one staging table from the lake's JSON-lines export on S3, fields mapped by a JSONPaths
-- file (sql/warehouse/redshift/jsonpaths/<table>.json, uploaded next to the data). For a bucket
-- in another region than the cluster, which columnar COPY cannot read.
COPY staging.{{table}} ({{columns}}) FROM {{source}} IAM_ROLE {{iam_role}} FORMAT AS JSON {{jsonpaths}} TIMEFORMAT 'auto'{{region}}
