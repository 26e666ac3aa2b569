-- One row of counts that must agree: every event read is accepted or quarantined, every
-- accepted play of a known user is a songplay, every play instant is a time row, every song
-- record read is a song or quarantined (duplicates included). Gate 1 only: it needs the
-- lake's events and input_files.
WITH files AS (
    SELECT
        COALESCE(SUM(CASE WHEN input = 'events' THEN records END), 0) AS events_read,
        COALESCE(SUM(CASE WHEN input = 'events' THEN rejected END), 0) AS events_rejected_counted,
        COALESCE(SUM(CASE WHEN input = 'songs' THEN records END), 0) AS songs_read
    FROM staging.input_files
),
rejected AS (
    SELECT
        COUNT(CASE WHEN input = 'events' THEN 1 END) AS events_rejected,
        COUNT(CASE WHEN input = 'songs' THEN 1 END) AS songs_rejected
    FROM staging.rejected_records
),
accepted AS (
    SELECT
        COUNT(*) AS events_accepted,
        COUNT(CASE WHEN user_id <> '' THEN 1 END) AS events_with_user,
        COUNT(CASE WHEN page = 'NextSong' AND user_id <> '' THEN 1 END) AS nextsong_accepted
    FROM staging.events
),
plays AS (
    SELECT COUNT(*) AS songplays, COUNT(DISTINCT start_time) AS play_instants FROM staging.songplays
)
SELECT
    f.events_read,
    a.events_accepted + r.events_rejected AS events_accepted_or_rejected,
    a.events_accepted,
    f.events_rejected_counted,
    r.events_rejected,
    a.events_with_user,
    a.nextsong_accepted,
    p.songplays,
    p.play_instants,
    (SELECT COUNT(*) FROM staging."time") AS time_rows,
    (SELECT COUNT(*) FROM staging.users) AS users,
    f.songs_read,
    (SELECT COUNT(*) FROM staging.songs) + r.songs_rejected AS songs_accepted_or_rejected,
    (SELECT COUNT(*) FROM staging.songs) AS songs,
    (SELECT COUNT(*) FROM staging.artists) AS artists
FROM files AS f, rejected AS r, accepted AS a, plays AS p
