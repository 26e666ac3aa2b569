-- Upsert rejected records by (file, line): a rewritten file's new verdict replaces the old one.
-- Redshift's MERGE takes no condition on WHEN MATCHED and its source must be a table (no
-- subquery), so the rows to write are selected first into a temporary delta table: new keys
-- (is_new) and changed rows. MERGE then updates or inserts exactly those, and merge/_counts.sql
-- reads the inserted/updated split from the delta. Null-safe comparisons are spelled out
-- (IS DISTINCT FROM is not documented for Redshift).
CREATE TEMP TABLE delta_rejected_records AS
SELECT s.source_file, s.line_number, s.input, s.reason, s.detail, s."raw", t.source_file IS NULL AS is_new
FROM staging.rejected_records AS s
LEFT JOIN rejected_records AS t ON t.source_file = s.source_file AND t.line_number = s.line_number
WHERE t.source_file IS NULL
   OR (t.input <> s.input
       OR t.reason <> s.reason
       OR (t.detail <> s.detail OR (t.detail IS NULL AND s.detail IS NOT NULL) OR (t.detail IS NOT NULL AND s.detail IS NULL))
       OR (t."raw" <> s."raw" OR (t."raw" IS NULL AND s."raw" IS NOT NULL) OR (t."raw" IS NOT NULL AND s."raw" IS NULL)));
MERGE INTO rejected_records USING delta_rejected_records AS s ON rejected_records.source_file = s.source_file AND rejected_records.line_number = s.line_number
WHEN MATCHED THEN UPDATE SET input = s.input, reason = s.reason, detail = s.detail, "raw" = s."raw"
WHEN NOT MATCHED THEN INSERT (source_file, line_number, input, reason, detail, "raw")
    VALUES (s.source_file, s.line_number, s.input, s.reason, s.detail, s."raw");
-- A reloaded file's verdicts that its new content no longer gives (a line fixed at the source) go.
DELETE FROM rejected_records
WHERE source_file IN (SELECT source_file FROM staging.loaded_files)
  AND NOT EXISTS (
    SELECT 1 FROM staging.rejected_records AS s
    WHERE s.source_file = rejected_records.source_file AND s.line_number = rejected_records.line_number
);
