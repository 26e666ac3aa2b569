-- How the last MERGE's rows split: the delta table holds exactly the rows it inserted (is_new)
-- and updated, so the counts are read from it rather than from the statement's row count.
SELECT COALESCE(SUM(CASE WHEN is_new THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN is_new THEN 0 ELSE 1 END), 0)
FROM delta_{{table}}
