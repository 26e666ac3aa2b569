UPDATE songs SET year_known = CASE WHEN year = 0 THEN NULL ELSE year END
