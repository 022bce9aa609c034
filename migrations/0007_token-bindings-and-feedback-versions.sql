-- Up Migration

-- A callback token (our conversation id, signed) opens exactly one stream: the one its conversation
-- started in, or, for a callback that races ahead of our record of the start, the one it was first
-- used for. The key, not a read before the write, is what decides between racing first uses.
CREATE TABLE token_bindings (
  token      uuid        PRIMARY KEY,
  stream_id  text        NOT NULL,
  bound_at   timestamptz NOT NULL DEFAULT now()
);

INSERT INTO token_bindings (token, stream_id, bound_at)
SELECT (data->>'id')::uuid, stream_id, recorded_at FROM events WHERE type = 'ConversationStarted'
ON CONFLICT (token) DO NOTHING;

-- One definition of a feedback row, for every build: the API reads one version's from here, and
-- feedback_sessions is the live version's, so the two can no longer drift apart.
DROP VIEW feedback_sessions;

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

-- Down Migration
DROP VIEW feedback_sessions;
DROP VIEW feedback_versions;

CREATE VIEW feedback_sessions AS
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
       s.scored_at                                  AS updated_at
  FROM feedback_scores s
  JOIN feedback_inputs i USING (conversation_id)
  JOIN events t ON t.position = i.transcript_position
 WHERE s.analyzer = (SELECT analyzer FROM feedback_live);

DROP TABLE token_bindings;
