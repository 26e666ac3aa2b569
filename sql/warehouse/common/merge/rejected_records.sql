-- Upsert rejected records by (file, line): a rewritten file's new verdict replaces the old one.
UPDATE rejected_records AS t
SET input = s.input, reason = s.reason, detail = s.detail, raw = s.raw
FROM staging.rejected_records AS s
WHERE t.source_file = s.source_file AND t.line_number = s.line_number
  AND (t.reason IS DISTINCT FROM s.reason OR t.detail IS DISTINCT FROM s.detail OR t.raw IS DISTINCT FROM s.raw
       OR t.input IS DISTINCT FROM s.input);
INSERT INTO rejected_records (source_file, line_number, input, reason, detail, raw)
SELECT s.source_file, s.line_number, s.input, s.reason, s.detail, s.raw
FROM staging.rejected_records AS s
WHERE NOT EXISTS (
    SELECT 1 FROM rejected_records AS t WHERE t.source_file = s.source_file AND t.line_number = s.line_number
);
-- A reloaded file's verdicts that its new content no longer gives (a line fixed at the source) go.
DELETE FROM rejected_records
WHERE source_file IN (SELECT source_file FROM staging.loaded_files)
  AND NOT EXISTS (
    SELECT 1 FROM staging.rejected_records AS s
    WHERE s.source_file = rejected_records.source_file AND s.line_number = rejected_records.line_number
);
