INSERT INTO "rejected_records" ("source_file", "line_number", "input", "reason", "detail", "raw")
SELECT s."source_file", s."line_number", s."input", s."reason", s."detail", s."raw"
FROM "staging"."rejected_records" AS s
WHERE NOT EXISTS (SELECT 1 FROM "rejected_records" AS t WHERE t."source_file" = s."source_file" AND t."line_number" = s."line_number")
