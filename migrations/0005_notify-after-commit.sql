-- Up Migration

-- A NOTIFY holds a database-wide lock from just before its transaction commits until the commit is
-- durable, so every appending transaction waited for the previous one's WAL flush: commits could
-- not share a flush, and ingestion stalled in Lock:object waits. Writers now notify in a statement
-- of its own after their commit (src/events/notifyAppended.ts), which holds that lock only briefly.
DROP TRIGGER events_appended ON events;
DROP FUNCTION events_notify_appended();

-- Down Migration
CREATE FUNCTION events_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tavus_feedback_events', '');
  RETURN NULL;
END $$;

CREATE TRIGGER events_appended
  AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_notify_appended();
