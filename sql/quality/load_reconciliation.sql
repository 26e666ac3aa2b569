-- One row: what the lake holds against what was staged, table by table, and the lake's accepted
-- plays of known users against the staged songplays. Gate 2 only; {{lake_*}} and
-- {{nextsong_accepted}} are counted from the lake by the gate.
SELECT
    {{lake_songplays}} AS lake_songplays,
    (SELECT COUNT(*) FROM staging.songplays) AS staged_songplays,
    {{nextsong_accepted}} AS nextsong_accepted,
    {{lake_users}} AS lake_users,
    (SELECT COUNT(*) FROM staging.users) AS staged_users,
    {{lake_songs}} AS lake_songs,
    (SELECT COUNT(*) FROM staging.songs) AS staged_songs,
    {{lake_artists}} AS lake_artists,
    (SELECT COUNT(*) FROM staging.artists) AS staged_artists,
    {{lake_time}} AS lake_time,
    (SELECT COUNT(*) FROM staging."time") AS staged_time,
    {{lake_events}} AS lake_events,
    (SELECT COUNT(*) FROM staging.events) AS staged_events,
    {{lake_rejected_records}} AS lake_rejected_records,
    (SELECT COUNT(*) FROM staging.rejected_records) AS staged_rejected_records
