-- DuckDB engine: a fingerprint of a table's whole content (every row as text, in a fixed order),
-- to skip rewriting a lake table of thousands of partitions when it did not change since the
-- published lake was written.
SELECT md5(COALESCE(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR)), ''))
FROM {{table}} AS t
