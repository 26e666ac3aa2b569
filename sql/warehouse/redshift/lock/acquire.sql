-- Take the pipeline lock: an ACCESS EXCLUSIVE lock held by a transaction left open on the lock's
-- own connection until the run ends. Redshift's LOCK has no NOWAIT: the statement timeout turns
-- "wait forever" into "give up after {{timeout_ms}} ms" (SQLSTATE 57014), i.e. not acquired.
SET statement_timeout TO {{timeout_ms}};
LOCK TABLE music_analytics_lock;
SET statement_timeout TO 0;
