INSERT INTO "events" ("event_id", "start_time", "ts", "user_id", "session_id", "item_in_session", "page", "auth", "level", "method", "status", "location", "user_agent", "registration_time", "song", "artist", "length")
SELECT s."event_id", s."start_time", s."ts", NULLIF(s.user_id, ''), s."session_id", s."item_in_session", s."page", s."auth", s."level", s."method", s."status", s."location", s."user_agent", s."registration_time", s."song", s."artist", s."length"
FROM "staging"."events" AS s
WHERE NOT EXISTS (SELECT 1 FROM "events" AS t WHERE t."event_id" = s."event_id")
