-- Up Migration

-- Positions handed out in commit order, so that a reader of all events reads `after its checkpoint`
-- and waits on nobody.
--
-- Until now positions came from the sequence before commit, so they became visible out of order, and
-- readers read only below the oldest transaction running on the whole server
-- (pg_snapshot_xmin): any long transaction anywhere (another database, another app, a session left
-- idle in transaction) stopped every reader for as long as it ran. Now every statement that inserts
-- into events first takes one transaction-level advisory lock (a statement trigger, so it binds every
-- appender: the service, old instances, fixtures, psql). The lock is held until commit, so the next
-- appender draws its positions only after the previous one is visible: what a reader has not seen can
-- only get larger positions. Group commit makes appending transactions few and large, so waiting for
-- the lock costs little (measured in the README). The lock is this database's own (advisory locks are
-- per database), and only appenders to events ever take it.
--
-- A stuck appender (a session that inserted events and then idles in its transaction) makes the
-- others wait for at most lock_timeout, then fail (the service answers 503 and Tavus retries), rather
-- than hang. Readers never wait for it: its events are invisible and nothing after them is numbered.
CREATE FUNCTION events_take_append_lock() RETURNS trigger LANGUAGE plpgsql
SET lock_timeout = '5s'
AS $$
BEGIN
  -- 0x7466_6576_656e_7473 spells "tfevents": one number, chosen once, that no other app should use.
  PERFORM pg_advisory_xact_lock(8387502915206411379);
  RETURN NULL;
END $$;

-- The cut-over: wait for every appender under the old rule to finish, and keep new ones out until
-- this migration commits, so that every event appended before it is committed and numbered by then.
LOCK TABLE events IN EXCLUSIVE MODE;

CREATE TRIGGER events_append_in_commit_order
  BEFORE INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_take_append_lock();

-- One order for everything, old and new: (transaction_id, position). Events appended before this
-- migration keep their real transaction id, which is their place in the old commit order; events
-- appended from now on all carry the largest xid8 there is, so they come after every old one and,
-- among themselves, in position order, which is now commit order. Nothing is renumbered: positions
-- published to KurrentDB stay, every checkpoint stays valid as it is, and revisions counted in the old
-- order do not move.
ALTER TABLE events ALTER COLUMN transaction_id SET DEFAULT '18446744073709551615';
COMMENT ON COLUMN events.transaction_id IS
  'Commit-order group: the appending transaction''s id for events appended before migration 0016, the largest xid8 after it. Readers order by (transaction_id, position).';

-- Where the old order ended, for operators and audits.
CREATE TABLE event_order_cutover (
  singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  position   bigint      NOT NULL,
  cut_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_order_cutover (position) SELECT coalesce(max(position), 0) FROM events;

-- Down Migration
-- Events appended since keep the largest xid8: readers under the old rule never pass them, so going
-- back means running the old code against a history that has none (a restored backup).
DROP TABLE event_order_cutover;
COMMENT ON COLUMN events.transaction_id IS NULL;
ALTER TABLE events ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id();
DROP TRIGGER events_append_in_commit_order ON events;
DROP FUNCTION events_take_append_lock();
