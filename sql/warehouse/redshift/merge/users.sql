-- Upsert users: a staged row replaces the stored one only if it comes from an event at least as
-- recent (level_ts), so loading an older day later never regresses a user's level.
-- Redshift's MERGE takes no condition on WHEN MATCHED and its source must be a table (no
-- subquery), so the rows to write are selected first into a temporary delta table: new keys
-- (is_new) and changed rows. MERGE then updates or inserts exactly those, and merge/_counts.sql
-- reads the inserted/updated split from the delta. Null-safe comparisons are spelled out
-- (IS DISTINCT FROM is not documented for Redshift).
CREATE TEMP TABLE delta_users AS
SELECT s.user_id, s.first_name, s.last_name, s.gender, s.level, s.level_ts, t.user_id IS NULL AS is_new
FROM staging.users AS s
LEFT JOIN users AS t ON t.user_id = s.user_id
WHERE t.user_id IS NULL
   OR (s.level_ts >= t.level_ts
       AND ((t.first_name <> s.first_name OR (t.first_name IS NULL AND s.first_name IS NOT NULL) OR (t.first_name IS NOT NULL AND s.first_name IS NULL))
       OR (t.last_name <> s.last_name OR (t.last_name IS NULL AND s.last_name IS NOT NULL) OR (t.last_name IS NOT NULL AND s.last_name IS NULL))
       OR (t.gender <> s.gender OR (t.gender IS NULL AND s.gender IS NOT NULL) OR (t.gender IS NOT NULL AND s.gender IS NULL))
       OR t.level <> s.level
       OR t.level_ts <> s.level_ts));
MERGE INTO users USING delta_users AS s ON users.user_id = s.user_id
WHEN MATCHED THEN UPDATE SET first_name = s.first_name, last_name = s.last_name, gender = s.gender, level = s.level, level_ts = s.level_ts
WHEN NOT MATCHED THEN INSERT (user_id, first_name, last_name, gender, level, level_ts)
    VALUES (s.user_id, s.first_name, s.last_name, s.gender, s.level, s.level_ts);
