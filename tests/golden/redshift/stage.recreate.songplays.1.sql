DROP TABLE IF EXISTS staging."songplays"
