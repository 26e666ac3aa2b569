DROP TABLE IF EXISTS staging."time"
