DROP TABLE IF EXISTS staging."artists"
