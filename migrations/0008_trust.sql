-- Up Migration

-- What a practice app shows beside the feedback: the objectives the replica reached (with the
-- variables it extracted) and the guardrails that were triggered, folded from their callbacks.
ALTER TABLE conversations
  ADD COLUMN objectives jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN guardrails jsonb NOT NULL DEFAULT '[]';

-- A conversation a projection could not apply is parked here with its error, and the projection's
-- checkpoint moves on: one bad conversation never stalls the others. `tavus-feedback deadletters
-- retry` asks the runner to apply it again (it re-folds the whole stream, so a retried conversation
-- ends as if it had never failed).
CREATE TABLE dead_letters (
  projection      text        NOT NULL,
  stream_id       text        NOT NULL,
  error           text        NOT NULL,
  -- The event that was being applied when it failed.
  failed_position bigint      NOT NULL,
  attempts        integer     NOT NULL DEFAULT 1,
  parked_at       timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  retry_requested boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (projection, stream_id)
);

CREATE INDEX dead_letters_by_stream ON dead_letters (stream_id);

-- Tavus echoes the callback URL, token included, in every body. Bodies are now kept without it
-- (their sha256 still proves what arrived); the ones kept before lose it here.
UPDATE callbacks
   SET body = regexp_replace(body, '(/webhooks/tavus/)[A-Za-z0-9_.~%-]+', '\1[redacted]', 'g')
 WHERE body ~ '/webhooks/tavus/[A-Za-z0-9_.~%-]+';

-- Down Migration
DROP TABLE dead_letters;
ALTER TABLE conversations DROP COLUMN objectives, DROP COLUMN guardrails;
