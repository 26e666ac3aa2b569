ANALYZE staging."events"
