-- Up Migration

-- The append-only history: every fact we learnt about a conversation, once.
-- `position` comes from a sequence taken before commit, so positions become visible out of order;
-- readers of all events therefore order by (transaction_id, position) and read only below the oldest
-- transaction still running (see src/events/readAll.ts).
CREATE TABLE events (
  position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text        NOT NULL,
  type            text        NOT NULL,
  schema_version  smallint    NOT NULL DEFAULT 1,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL DEFAULT '{}',
  -- Derived from what the event records (stream, fact, content); the constraint, not a prior read,
  -- is what keeps racing duplicates out.
  idempotency_key text        NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_idempotency_key_unique UNIQUE (idempotency_key)
);

CREATE INDEX events_commit_order ON events (transaction_id, position);
CREATE INDEX events_by_stream ON events (stream_id, position);

-- History is never edited. A mistake is corrected by a new event, and old shapes are upcast on read.
CREATE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END $$;

CREATE TRIGGER events_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_reject_change();

-- Projection runners LISTEN on this channel so fresh events are applied without waiting for a poll.
-- Postgres folds identical notifications of one transaction into one, so a batch costs one.
CREATE FUNCTION events_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tavus_feedback_events', '');
  RETURN NULL;
END $$;

CREATE TRIGGER events_appended
  AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_notify_appended();

-- Every callback delivery as received, duplicates included: the audit trail of what Tavus sent.
-- Only deliveries that were accepted land here; rejected ones change nothing and are only logged.
CREATE TABLE callbacks (
  -- Chosen by the receiver before the append, so the events a delivery produced can name it
  -- (metadata.callbackId); a delivery no event names was a duplicate.
  id               uuid        PRIMARY KEY,
  received_at      timestamptz NOT NULL,
  stream_id        text        NOT NULL,
  event_type       text,
  body_sha256      text        NOT NULL,
  body             text        NOT NULL,
  request_id       text
);

CREATE INDEX callbacks_by_stream ON callbacks (stream_id, received_at);

-- Where each projection has read up to, moved in the same transaction as its read model.
CREATE TABLE projection_checkpoints (
  name            text        PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT '0',
  position        bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE projection_checkpoints;
DROP TABLE callbacks;
DROP TABLE events;
DROP FUNCTION events_notify_appended();
DROP FUNCTION events_reject_change();
