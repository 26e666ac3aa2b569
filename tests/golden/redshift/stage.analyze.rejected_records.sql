ANALYZE staging."rejected_records"
