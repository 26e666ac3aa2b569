UPDATE "artists" SET location = NULL WHERE location = ''
