MERGE INTO "rejected_records" USING "delta_rejected_records" AS s ON "rejected_records"."source_file" = s."source_file" AND "rejected_records"."line_number" = s."line_number"
WHEN MATCHED THEN UPDATE SET "input" = s."input", "reason" = s."reason", "detail" = s."detail", "raw" = s."raw"
WHEN NOT MATCHED THEN INSERT ("source_file", "line_number", "input", "reason", "detail", "raw")
    VALUES (s."source_file", s."line_number", s."input", s."reason", s."detail", s."raw")
