ANALYZE staging."songplays"
