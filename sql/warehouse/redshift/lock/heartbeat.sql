-- Proves the lock's session is alive (and resets Redshift's idle-session timer).
SELECT 1
