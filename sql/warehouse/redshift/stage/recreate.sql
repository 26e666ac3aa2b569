-- Staging tables are scratch copies of the target's shape, rebuilt every run. LIKE (not CTAS)
-- so they inherit the target's DISTSTYLE/DISTKEY/SORTKEY: the merge joins staging and target
-- on collocated slices. BACKUP NO: left out of snapshots (Redshift's nearest thing to UNLOGGED);
-- they are refilled from the lake after a restore anyway.
DROP TABLE IF EXISTS staging.{{table}};
CREATE TABLE staging.{{table}} (LIKE {{table}}) BACKUP NO;
