-- Up Migration

-- The recordings read model, written by the conversations projection from each conversation's
-- events: one row a recording Tavus told us of (a RecordingReady naming an S3 object, in either of
-- Tavus's forms; both forms of one object are one row), `copying` until its RecordingStored is in
-- the history, then `stored` with where it is kept and what was checked (bytes, sha256). A copy
-- Tavus reported failed (application.recording_copy_failed) names no object: it is the row whose
-- source is '', `failed`, with Tavus's error.
CREATE TABLE recordings (
  conversation_id  uuid        NOT NULL REFERENCES conversations (id),
  -- s3://bucket/key as Tavus named it, or '' for a reported failure.
  source           text        NOT NULL,
  stream_id        text        NOT NULL,
  source_bucket    text,
  source_key       text,
  -- The earliest event of the row: the copier's order, and where its dead letter points.
  position         bigint      NOT NULL,
  status           text        NOT NULL CHECK (status IN ('copying', 'stored', 'failed')),
  duration_seconds double precision,
  stored_bucket    text,
  stored_key       text,
  bytes            bigint,
  sha256           text,
  content_type     text,
  error            text,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, source),
  CHECK ((source = '') = (status = 'failed'))
);

-- What the recordings reactor copies: rows still copying, oldest first. Partial, so its size is
-- the backlog, not every recording ever kept; the reactor's query repeats the predicate.
CREATE INDEX recordings_copying ON recordings (position) WHERE status = 'copying';

-- Down Migration
DROP TABLE recordings;
