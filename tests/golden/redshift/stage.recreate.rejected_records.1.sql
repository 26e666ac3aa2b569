DROP TABLE IF EXISTS staging."rejected_records"
