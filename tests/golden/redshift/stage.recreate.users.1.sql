DROP TABLE IF EXISTS staging."users"
