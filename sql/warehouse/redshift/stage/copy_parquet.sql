-- Load one staging table from the lake's flat Parquet export on S3 (music_analytics/warehouse/
-- redshift/copy.py). Parquet COPY maps file columns to the column list BY POSITION, so
-- the export holds exactly these columns in this order. No REGION: columnar COPY rejects it
-- (the bucket must be in the cluster's region).
COPY staging.{{table}} ({{columns}}) FROM {{source}} IAM_ROLE {{iam_role}} FORMAT AS PARQUET
