SELECT t.pid, TRIM(t.txn_owner), t.txn_start
FROM svv_transactions AS t
JOIN pg_class AS c ON c.oid = t.relation
WHERE c.relname = 'music_analytics_lock' AND t.granted AND t.lock_mode = 'AccessExclusiveLock'
ORDER BY t.txn_start
LIMIT 1
