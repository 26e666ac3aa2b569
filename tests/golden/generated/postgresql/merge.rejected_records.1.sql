UPDATE "rejected_records" AS t
SET "input" = s."input", "reason" = s."reason", "detail" = s."detail", "raw" = s."raw"
FROM "staging"."rejected_records" AS s
WHERE t."source_file" = s."source_file" AND t."line_number" = s."line_number"
  AND (t."input" IS DISTINCT FROM s."input"
       OR t."reason" IS DISTINCT FROM s."reason"
       OR t."detail" IS DISTINCT FROM s."detail"
       OR t."raw" IS DISTINCT FROM s."raw")
