-- Up Migration

-- Scenarios are ours to manage (CLI or plain SQL). A conversation keeps a copy of its scenario in
-- its ConversationStarted event, so editing a scenario never changes how past conversations score.
CREATE TABLE scenarios (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text        NOT NULL,
  description text,
  rubric      jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A profile row for every user who started a conversation (the original design's table).
CREATE TABLE profiles (
  id         uuid        PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Read model: one row a conversation, rebuilt from its events.
CREATE TABLE conversations (
  id              uuid        PRIMARY KEY,
  conversation_id text        NOT NULL UNIQUE,
  user_id         uuid        NOT NULL REFERENCES profiles (id),
  scenario_id     uuid,
  started_at      timestamptz,
  ended_at        timestamptz,
  status          text        NOT NULL CHECK (status IN ('active', 'completed', 'failed')),
  tavus_metadata  jsonb       NOT NULL DEFAULT '{}',
  recording_url   text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);

CREATE INDEX conversations_by_user ON conversations (user_id);

-- What every analyzer reads of a conversation, independent of the analyzer: kept once, so a rebuild
-- for a new analyzer version writes only scores. The transcript itself stays in its event (the one
-- copy of it we keep); this row points at it.
CREATE TABLE feedback_inputs (
  conversation_id     uuid        PRIMARY KEY REFERENCES conversations (id),
  user_id             uuid        NOT NULL,
  scenario_id         uuid,
  completed_at        timestamptz,
  duration            integer,
  -- The TranscriptReceived event scored: with several, the fullest.
  transcript_position bigint      NOT NULL,
  context             jsonb       NOT NULL DEFAULT '{}',
  -- Changes whenever anything an analyzer reads changes; a score made from another hash is stale.
  input_hash      text        NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);

-- Scores, one row per analyzer version and conversation: each version is a build of its own.
CREATE TABLE feedback_scores (
  analyzer        text        NOT NULL,
  conversation_id uuid        NOT NULL,
  -- The same for every version, so links to a feedback row survive a switch of analyzer.
  id              uuid        NOT NULL,
  score           integer     NOT NULL,
  analysis        jsonb       NOT NULL,
  input_hash      text        NOT NULL,
  scored_at       timestamptz NOT NULL,
  PRIMARY KEY (analyzer, conversation_id)
);

-- Which build `feedback_sessions` serves. One row; switching is one UPDATE in one transaction.
CREATE TABLE feedback_live (
  singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  analyzer    text        NOT NULL,
  switched_at timestamptz NOT NULL DEFAULT now()
);

-- The original design's table, as apps read it: the live build joined with its inputs.
CREATE VIEW feedback_sessions AS
SELECT s.id,
       i.user_id,
       i.scenario_id,
       i.conversation_id,
       s.score,
       i.completed_at,
       i.duration,
       t.data->'turns'                              AS transcript,
       s.analysis,
       split_part(s.analyzer, '@', 1)               AS analyzer,
       split_part(s.analyzer, '@', 2)::integer      AS analyzer_version,
       i.created_at,
       s.scored_at                                  AS updated_at
  FROM feedback_scores s
  JOIN feedback_inputs i USING (conversation_id)
  JOIN events t ON t.position = i.transcript_position
 WHERE s.analyzer = (SELECT analyzer FROM feedback_live);

-- Down Migration
DROP VIEW feedback_sessions;
DROP TABLE feedback_live;
DROP TABLE feedback_scores;
DROP TABLE feedback_inputs;
DROP TABLE conversations;
DROP TABLE profiles;
DROP TABLE scenarios;
