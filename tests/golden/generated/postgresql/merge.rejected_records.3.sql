DELETE FROM "rejected_records"
WHERE "source_file" IN (SELECT "source_file" FROM "staging"."loaded_files")
  AND NOT EXISTS (SELECT 1 FROM "staging"."rejected_records" AS s WHERE s."source_file" = rejected_records."source_file" AND s."line_number" = rejected_records."line_number")
