-- Up Migration

-- Tavus retries no callback. Reconciliation (src/reactors/reconcile/) asks Tavus's verbose GET for
-- conversations whose callbacks never came and records each replayed event as a delivery of its
-- own, so deliveries now say which channel brought them. A constant default adds the column without
-- rewriting the table.
ALTER TABLE callbacks ADD COLUMN source text NOT NULL DEFAULT 'tavus-callback'
  CONSTRAINT callbacks_source_known CHECK (source IN ('tavus-callback', 'reconcile'));

-- One row a started conversation: what the history holds of it, kept up to date from the events by
-- the sweeper (its checkpoint below), and how asking Tavus about it went. Rows never decide what is
-- recorded (the callback command does); they only say whom to ask and when.
CREATE TABLE reconcile_conversations (
  stream_id             text        PRIMARY KEY,
  conversation_id       uuid        NOT NULL,
  tavus_conversation_id text        NOT NULL,
  started_at            timestamptz NOT NULL,
  -- The earliest end the history holds, whether an end reported a failure, whether a transcript came.
  ended_at              timestamptz,
  failed                boolean     NOT NULL DEFAULT false,
  has_transcript        boolean     NOT NULL DEFAULT false,
  -- Nothing left to ask Tavus for. A failed start needs no transcript.
  complete              boolean     GENERATED ALWAYS AS (ended_at IS NOT NULL AND (failed OR has_transcript)) STORED,
  -- Consecutive answers that left it incomplete (or failed); the backoff grows with them.
  attempts              integer     NOT NULL DEFAULT 0,
  last_attempt_at       timestamptz,
  -- Not before this may it be asked again; null: never asked.
  next_attempt_at       timestamptz,
  last_result           text        CHECK (last_result IN ('complete', 'active', 'incomplete', 'unknown', 'failed')),
  -- Why the last attempt failed, for operators; never a credential.
  last_error            text,
  recovered_events      integer     NOT NULL DEFAULT 0,
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Sweeps read only the conversations still worth asking about: few, since most complete within
-- minutes of their start, however long the history grows. Tavus said it does not know 'unknown' ones.
CREATE INDEX reconcile_conversations_open ON reconcile_conversations (started_at)
  WHERE NOT complete AND last_result IS DISTINCT FROM 'unknown';
CREATE INDEX reconcile_conversations_by_id ON reconcile_conversations (conversation_id);

-- Where the sweeper has read the history up to (commit order, as projections read it); moved with
-- the rows it changed, in one transaction, as a compare-and-set.
CREATE TABLE reconcile_checkpoint (
  singleton      boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  transaction_id xid8        NOT NULL DEFAULT '0',
  position       bigint      NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO reconcile_checkpoint DEFAULT VALUES;

-- Down Migration
DROP TABLE reconcile_checkpoint;
DROP TABLE reconcile_conversations;
ALTER TABLE callbacks DROP COLUMN source;
