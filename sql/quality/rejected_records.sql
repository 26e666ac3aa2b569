-- The run's quarantined records (the raw text is left out: it is not checked and can be large).
SELECT source_file, line_number, input, reason, detail
FROM staging.rejected_records
