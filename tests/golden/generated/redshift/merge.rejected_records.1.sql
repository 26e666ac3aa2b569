CREATE TEMP TABLE "delta_rejected_records" AS
SELECT s.*, t."source_file" IS NULL AS is_new
FROM "staging"."rejected_records" AS s
LEFT JOIN "rejected_records" AS t ON t."source_file" = s."source_file" AND t."line_number" = s."line_number"
WHERE t."source_file" IS NULL
   OR (t."input" <> s."input"
       OR t."reason" <> s."reason"
       OR (t."detail" <> s."detail" OR (t."detail" IS NULL AND s."detail" IS NOT NULL) OR (t."detail" IS NOT NULL AND s."detail" IS NULL))
       OR (t."raw" <> s."raw" OR (t."raw" IS NULL AND s."raw" IS NOT NULL) OR (t."raw" IS NOT NULL AND s."raw" IS NULL)))
