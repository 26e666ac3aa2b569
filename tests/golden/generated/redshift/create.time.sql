-- Dimension: one row per play instant (UTC). week: ISO week, iso_year: its ISO week-numbering year (the pair
-- to group weeks by); weekday: ISO, 1 = Monday .. 7 = Sunday.
-- DISTSTYLE KEY: one row per play instant makes this dimension about as large as the fact table, so
-- replicating it (ALL) would copy millions of rows to every node. The key is unique: rows spread evenly, and
-- the staged copy (CREATE TABLE ... LIKE) shares the key, so the merge's anti-join is collocated. Queries
-- joining songplays redistribute the (time-filtered) smaller side. SORTKEY(start_time): date-range filters
-- skip blocks through the zone maps.
-- PRIMARY KEY is informational on Redshift (not enforced); the merge never inserts a key twice.
CREATE TABLE IF NOT EXISTS "time" (
    "start_time" TIMESTAMP NOT NULL,
    "hour" INTEGER NOT NULL,
    "day" INTEGER NOT NULL,
    "week" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "weekday" INTEGER NOT NULL,
    "iso_year" INTEGER NOT NULL,
    PRIMARY KEY ("start_time")
)
DISTSTYLE KEY
DISTKEY ("start_time")
SORTKEY ("start_time")
