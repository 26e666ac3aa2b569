CREATE TEMP TABLE "delta_events" AS
SELECT s.*, t."event_id" IS NULL AS is_new
FROM (SELECT s."event_id" AS "event_id", s."start_time" AS "start_time", s."ts" AS "ts", NULLIF(s.user_id, '') AS "user_id", s."session_id" AS "session_id", s."item_in_session" AS "item_in_session", s."page" AS "page", s."auth" AS "auth", s."level" AS "level", s."method" AS "method", s."status" AS "status", s."location" AS "location", s."user_agent" AS "user_agent", s."registration_time" AS "registration_time", s."song" AS "song", s."artist" AS "artist", s."length" AS "length" FROM "staging"."events" AS s) AS s
LEFT JOIN "events" AS t ON t."event_id" = s."event_id"
WHERE t."event_id" IS NULL
   OR (t."start_time" <> s."start_time"
       OR t."ts" <> s."ts"
       OR (t."user_id" <> s."user_id" OR (t."user_id" IS NULL AND s."user_id" IS NOT NULL) OR (t."user_id" IS NOT NULL AND s."user_id" IS NULL))
       OR t."session_id" <> s."session_id"
       OR t."item_in_session" <> s."item_in_session"
       OR t."page" <> s."page"
       OR (t."auth" <> s."auth" OR (t."auth" IS NULL AND s."auth" IS NOT NULL) OR (t."auth" IS NOT NULL AND s."auth" IS NULL))
       OR (t."level" <> s."level" OR (t."level" IS NULL AND s."level" IS NOT NULL) OR (t."level" IS NOT NULL AND s."level" IS NULL))
       OR (t."method" <> s."method" OR (t."method" IS NULL AND s."method" IS NOT NULL) OR (t."method" IS NOT NULL AND s."method" IS NULL))
       OR (t."status" <> s."status" OR (t."status" IS NULL AND s."status" IS NOT NULL) OR (t."status" IS NOT NULL AND s."status" IS NULL))
       OR (t."location" <> s."location" OR (t."location" IS NULL AND s."location" IS NOT NULL) OR (t."location" IS NOT NULL AND s."location" IS NULL))
       OR (t."user_agent" <> s."user_agent" OR (t."user_agent" IS NULL AND s."user_agent" IS NOT NULL) OR (t."user_agent" IS NOT NULL AND s."user_agent" IS NULL))
       OR (t."registration_time" <> s."registration_time" OR (t."registration_time" IS NULL AND s."registration_time" IS NOT NULL) OR (t."registration_time" IS NOT NULL AND s."registration_time" IS NULL))
       OR (t."song" <> s."song" OR (t."song" IS NULL AND s."song" IS NOT NULL) OR (t."song" IS NOT NULL AND s."song" IS NULL))
       OR (t."artist" <> s."artist" OR (t."artist" IS NULL AND s."artist" IS NOT NULL) OR (t."artist" IS NOT NULL AND s."artist" IS NULL))
       OR (t."length" <> s."length" OR (t."length" IS NULL AND s."length" IS NOT NULL) OR (t."length" IS NOT NULL AND s."length" IS NULL)))
