-- Spark engine: where the rejected event records are (few); cached so rejected_raw.sql broadcasts
-- them against the re-read lines.
SELECT source_file, record_position FROM events_classified WHERE reject_reason IS NOT NULL
