-- The run's users: staged rows (gate 2) or the lake table (gate 1).
SELECT user_id, first_name, last_name, gender, level, level_ts
FROM staging.users
