ANALYZE staging."artists"
