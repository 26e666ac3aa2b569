DROP TABLE IF EXISTS staging."events"
