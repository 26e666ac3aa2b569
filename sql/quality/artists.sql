-- The run's artists: staged rows (gate 2) or the lake table (gate 1).
SELECT artist_id, name, location, latitude, longitude
FROM staging.artists
