-- Up Migration

-- Crypto-shredding (src/privacy/). Every conversation (stream) has a data key of its own; personal
-- fields of its events, and the raw callback bodies kept for audit, are sealed under it before they
-- are written. The key is kept here only wrapped by the key-encryption key of the configuration
-- (DATA_KEK), never in the clear. Erasing a conversation destroys its key (wrapped becomes NULL): the
-- history keeps every event, with ids, types, times, statuses and scores readable, and what was
-- personal in it can no longer be read by anyone, here or in the KurrentDB copies.
CREATE TABLE data_keys (
  stream_id  text        PRIMARY KEY,
  -- Named in every sealed value (and in the relay's metadata), so a reader knows which key opens it.
  key_id     uuid        NOT NULL UNIQUE,
  -- Which key-encryption key wrapped it: a digest of the KEK, never the KEK (keys rotate re-wraps).
  kek_id     text,
  -- iv (12 bytes) | GCM tag (16) | the wrapped 32-byte key; the stream id is its associated data.
  wrapped    bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  timestamptz,
  CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL)),
  CHECK ((wrapped IS NULL) = (kek_id IS NULL))
);

-- Conversations erased, by our id: what lets the operator still find a conversation's history (its
-- tombstone, its events' types and times) once its read models are gone. Nothing personal.
CREATE TABLE erased_conversations (
  conversation_id uuid        PRIMARY KEY,
  stream_id       text        NOT NULL,
  erased_at       timestamptz NOT NULL,
  erased_by       text        NOT NULL CHECK (erased_by IN ('owner', 'operator', 'retention'))
);

-- Read models stay plain and fast: what scoring reads of a conversation is copied here in the clear
-- by the conversations projection (the events hold it sealed), and purged with the row on erasure.
-- Scoring, the llm@1 reactor and rebuilds then never open a sealed event.
ALTER TABLE feedback_inputs
  ADD COLUMN transcript json,
  ADD COLUMN recordings json;

-- Rows written before this migration: their events are still in the clear.
UPDATE feedback_inputs i SET transcript = t.data->'turns' FROM events t WHERE t.position = i.transcript_position;
UPDATE feedback_inputs i
   SET recordings = (SELECT json_agg(r.data ORDER BY r.idempotency_key) FROM events r WHERE r.position = ANY(i.recording_positions))
 WHERE cardinality(i.recording_positions) > 0;
ALTER TABLE feedback_inputs ALTER COLUMN transcript SET NOT NULL;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE feedback_inputs ALTER COLUMN transcript SET COMPRESSION lz4;
  END IF;
END $$;

DROP VIEW feedback_sessions;
DROP VIEW feedback_versions;

CREATE VIEW feedback_versions AS
SELECT s.id,
       i.user_id,
       i.scenario_id,
       i.conversation_id,
       s.score,
       i.completed_at,
       i.duration,
       i.transcript::jsonb                          AS transcript,
       s.analysis,
       split_part(s.analyzer, '@', 1)               AS analyzer,
       split_part(s.analyzer, '@', 2)::integer      AS analyzer_version,
       i.created_at,
       s.scored_at                                  AS updated_at,
       s.analyzer                                   AS analyzer_id
  FROM feedback_scores s
  JOIN feedback_inputs i USING (conversation_id);

CREATE VIEW feedback_sessions AS
SELECT id, user_id, scenario_id, conversation_id, score, completed_at, duration, transcript, analysis,
       analyzer, analyzer_version, created_at, updated_at
  FROM feedback_versions
 WHERE analyzer_id = (SELECT analyzer FROM feedback_live);

-- The history stays append-only, with one exception: erasing a conversation whose events were
-- written before sealing existed (in the clear) overwrites their personal fields in place, in the
-- erasing transaction, which says so with SET LOCAL (transaction-scoped, so it survives a
-- transaction pooler and ends with the transaction). Events written since hold only ciphertext
-- there and are never touched: destroying their key is their erasure.
CREATE OR REPLACE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('tavus_feedback.erasing', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END $$;

-- Down Migration
CREATE OR REPLACE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END $$;

DROP VIEW feedback_sessions;
DROP VIEW feedback_versions;

CREATE VIEW feedback_versions AS
SELECT s.id,
       i.user_id,
       i.scenario_id,
       i.conversation_id,
       s.score,
       i.completed_at,
       i.duration,
       (t.data->'turns')::jsonb                     AS transcript,
       s.analysis,
       split_part(s.analyzer, '@', 1)               AS analyzer,
       split_part(s.analyzer, '@', 2)::integer      AS analyzer_version,
       i.created_at,
       s.scored_at                                  AS updated_at,
       s.analyzer                                   AS analyzer_id
  FROM feedback_scores s
  JOIN feedback_inputs i USING (conversation_id)
  JOIN events t ON t.position = i.transcript_position;

CREATE VIEW feedback_sessions AS
SELECT id, user_id, scenario_id, conversation_id, score, completed_at, duration, transcript, analysis,
       analyzer, analyzer_version, created_at, updated_at
  FROM feedback_versions
 WHERE analyzer_id = (SELECT analyzer FROM feedback_live);

ALTER TABLE feedback_inputs DROP COLUMN transcript, DROP COLUMN recordings;
DROP TABLE erased_conversations;
DROP TABLE data_keys;
