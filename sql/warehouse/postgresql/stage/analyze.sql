-- Fresh statistics for a just-COPYed staging table, so the merge plans for its real size.
ANALYZE staging.{{table}};
