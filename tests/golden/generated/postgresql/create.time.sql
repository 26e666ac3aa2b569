-- Dimension: one row per play instant (UTC). week: ISO week, iso_year: its ISO week-numbering year (the pair
-- to group weeks by); weekday: ISO, 1 = Monday .. 7 = Sunday.
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
