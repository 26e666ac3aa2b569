DELETE FROM user_levels
WHERE user_id IN (SELECT user_id FROM staging.events WHERE user_id <> '')
