ANALYZE staging."users"
