ANALYZE staging."time"
