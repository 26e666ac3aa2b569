INSERT INTO "state_time_zones" ("state", "time_zone") VALUES %s
