-- Load one staging table from the lake's JSON-lines export on S3, fields mapped by a JSONPaths
-- file (generated from the table catalogue, uploaded under s3_staging/_jsonpaths/). For a bucket
-- in another region than the cluster, which columnar COPY cannot read.
COPY staging.{{table}} ({{columns}}) FROM {{source}} IAM_ROLE {{iam_role}} FORMAT AS JSON {{jsonpaths}} TIMEFORMAT 'auto'{{region}}
