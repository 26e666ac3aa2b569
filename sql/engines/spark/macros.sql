-- Portable helpers the transform models call, as Spark SQL functions (inlined by the optimizer).
-- Same values as sql/engines/duckdb/macros.sql: stable_id is a 60-bit positive BIGINT from the
-- first 15 hex digits of MD5(text), so ids survive an engine switch.
CREATE OR REPLACE TEMPORARY FUNCTION stable_id(k STRING) RETURNS BIGINT
RETURN CAST(conv(substring(md5(k), 1, 15), 16, 10) AS BIGINT);
-- epoch_ms_of / timestamp_from_ms: UTC wall-clock timestamps (TIMESTAMP_NTZ, like DuckDB's
-- TIMESTAMP) to and from epoch milliseconds, by arithmetic that no session time zone can shift.
CREATE OR REPLACE TEMPORARY FUNCTION epoch_ms_of(t TIMESTAMP_NTZ) RETURNS BIGINT
RETURN timestampdiff(MILLISECOND, TIMESTAMP_NTZ '1970-01-01 00:00:00', t);
CREATE OR REPLACE TEMPORARY FUNCTION timestamp_from_ms(ms BIGINT) RETURNS TIMESTAMP_NTZ
RETURN timestampadd(MILLISECOND, ms, TIMESTAMP_NTZ '1970-01-01 00:00:00');
-- storable_raw: as in sql/engines/duckdb/macros.sql (Spark's literal needs the backslash doubled).
CREATE OR REPLACE TEMPORARY FUNCTION storable_raw(t STRING) RETURNS STRING
RETURN left(replace(t, chr(0), '\\u0000'), 16383);
