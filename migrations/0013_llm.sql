-- Up Migration

-- llm@1 scores a transcript from the model's answer recorded for it (an AnalysisRecorded event).
-- The conversations projection keeps, beside the transcript it chose, the recordings made for
-- exactly that transcript (their positions, so scoring reads them in the same statement as the
-- transcript, and their analyzers, so "not yet answered" is a predicate on this row), and whether
-- the person may have spoken in it (its event holds a "user" row; without one no model is asked:
-- see src/events/readStreamSummaries.ts).
ALTER TABLE feedback_inputs
  ADD COLUMN recording_positions bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN recorded_analyzers  text[]   NOT NULL DEFAULT '{}',
  ADD COLUMN user_present        boolean  NOT NULL DEFAULT true;

-- Rows written before this migration, the way the projection decides it from now on (one scan of
-- each transcript's text). No AnalysisRecorded existed before, so nothing else to fill.
UPDATE feedback_inputs i
   SET user_present = strpos(t.data::text, '"user"') > 0
  FROM events t
 WHERE t.position = i.transcript_position;

-- What the llm@1 reactor (and a rebuild of llm@1) asks the model about: transcripts the person
-- may have spoken in with no llm@1 answer yet, oldest first. Partial, so its size is the backlog,
-- not the history, once llm@1 is in use; the reactor's query repeats this predicate word for word
-- so the planner uses it. Keyed by transcript position, which grows with the history, so rows go in
-- at the index's right edge (keyed by conversation id it cost the conversations projection a fifth
-- of its speed). A new llm version gets an index of its own in its own migration.
CREATE INDEX feedback_inputs_awaiting_llm_1 ON feedback_inputs (transcript_position)
 WHERE user_present AND NOT (recorded_analyzers @> '{llm@1}');

-- Which models answered a version: checked when the reactor starts, because pointing a version at
-- another model makes answers that are not comparable (that is a new version). min()/max() over
-- this index are two probes however many recordings there are.
CREATE INDEX events_analysis_recorded_models ON events ((data->>'analyzer'), (data->>'model'))
 WHERE type = 'AnalysisRecorded';

-- Parked work a reactor retries by itself (failures that may pass: the endpoint down for hours);
-- null means only on an operator's request, as for projections.
ALTER TABLE dead_letters ADD COLUMN retry_at timestamptz;

-- Down Migration
ALTER TABLE dead_letters DROP COLUMN retry_at;
DROP INDEX events_analysis_recorded_models;
DROP INDEX feedback_inputs_awaiting_llm_1;
ALTER TABLE feedback_inputs DROP COLUMN recording_positions, DROP COLUMN recorded_analyzers, DROP COLUMN user_present;
