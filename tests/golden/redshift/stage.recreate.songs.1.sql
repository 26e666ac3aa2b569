DROP TABLE IF EXISTS staging."songs"
