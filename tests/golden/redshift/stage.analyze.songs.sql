ANALYZE staging."songs"
