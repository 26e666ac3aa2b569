UPDATE "songs" SET year = NULL WHERE year = 0
