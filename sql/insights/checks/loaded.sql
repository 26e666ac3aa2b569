-- The songplays, and the plays the events fact holds: fewer means events were loaded only partly.
-- Every songplay is a NextSong event of a user, so the two counts are equal in a complete load; a
-- warehouse loaded before the events fact existed has events only from the files read since.
SELECT
    (SELECT COUNT(*) FROM songplays) AS songplays,
    (SELECT COUNT(*) FROM events WHERE page = 'NextSong' AND user_id IS NOT NULL) AS event_plays
