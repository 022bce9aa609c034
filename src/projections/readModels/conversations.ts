import type pg from 'pg';
import { readStreams } from '../../events/readStreams.js';
import type { EventHead } from '../../events/types.js';
import type { Keyring } from '../../privacy/keyring.js';
import { erasedConversationOf, foldConversation, type ConversationRow, type FeedbackInputRow } from './conversationFold.js';
import type { RecordingRow } from './recordingFold.js';
import type { Projection } from '../runtime/projection.js';

// profiles, conversations, feedback_inputs and recordings: everything read from a conversation that
// does not depend on an analyzer. Each touched conversation is folded again from all its events, so applying
// a batch twice, or events in another order, writes the same rows.

// One statement writes all four tables (data-modifying CTEs run in order of dependency through the
// foreign keys: profiles, then conversations, then feedback_inputs and recordings), so a batch costs
// one round trip. A recording row is never removed: what a history said of a recording it keeps saying.
const UPSERT = `
WITH profiles_added AS (
  INSERT INTO profiles (id)
  SELECT DISTINCT user_id FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), conversations_written AS (
INSERT INTO conversations (id, conversation_id, user_id, scenario_id, started_at, ended_at, status, tavus_metadata, recording_url, objectives, guardrails, created_at, updated_at)
SELECT id, conversation_id, user_id, scenario_id, started_at, ended_at, status, tavus_metadata, recording_url, objectives, guardrails, created_at, updated_at
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, conversation_id text, user_id uuid, scenario_id uuid, started_at timestamptz,
       ended_at timestamptz, status text, tavus_metadata jsonb, recording_url text, objectives jsonb, guardrails jsonb, created_at timestamptz, updated_at timestamptz)
ON CONFLICT (id) DO UPDATE SET
  ended_at = excluded.ended_at, status = excluded.status, tavus_metadata = excluded.tavus_metadata,
  recording_url = excluded.recording_url, objectives = excluded.objectives, guardrails = excluded.guardrails, updated_at = excluded.updated_at
RETURNING id
), recordings_written AS (
INSERT INTO recordings (conversation_id, source, stream_id, source_bucket, source_key, position, status, duration_seconds, stored_bucket, stored_key,
       bytes, sha256, content_type, error, updated_at)
SELECT conversation_id, source, stream_id, source_bucket, source_key, position, status, duration_seconds, stored_bucket, stored_key,
       bytes, sha256, content_type, error, updated_at
  FROM jsonb_to_recordset($3::jsonb) AS r(conversation_id uuid, source text, stream_id text, source_bucket text, source_key text, position bigint,
       status text, duration_seconds double precision, stored_bucket text, stored_key text, bytes bigint, sha256 text, content_type text, error text,
       updated_at timestamptz)
 WHERE conversation_id IN (SELECT id FROM conversations_written)
ON CONFLICT (conversation_id, source) DO UPDATE SET
  position = excluded.position, status = excluded.status, duration_seconds = excluded.duration_seconds, stored_bucket = excluded.stored_bucket,
  stored_key = excluded.stored_key, bytes = excluded.bytes, sha256 = excluded.sha256, content_type = excluded.content_type, error = excluded.error,
  updated_at = excluded.updated_at
WHERE (recordings.*) IS DISTINCT FROM (excluded.*)
)
INSERT INTO feedback_inputs (conversation_id, user_id, scenario_id, completed_at, duration, transcript_position, transcript, recordings, user_present,
       recording_positions, recorded_analyzers, context, input_hash, created_at, updated_at)
SELECT conversation_id, user_id, scenario_id, completed_at, duration, transcript_position, transcript, recordings, user_present,
       recording_positions, recorded_analyzers, context, input_hash, created_at, updated_at
  FROM jsonb_to_recordset($2::jsonb) AS r(conversation_id uuid, user_id uuid, scenario_id uuid, completed_at timestamptz, duration integer,
       transcript_position bigint, transcript json, recordings json, user_present boolean, recording_positions bigint[], recorded_analyzers text[],
       context jsonb, input_hash text, created_at timestamptz, updated_at timestamptz)
 -- Referencing the conversations written above makes Postgres write them first.
 WHERE conversation_id IN (SELECT id FROM conversations_written)
ON CONFLICT (conversation_id) DO UPDATE SET
  completed_at = excluded.completed_at, duration = excluded.duration, transcript_position = excluded.transcript_position,
  transcript = excluded.transcript, recordings = excluded.recordings, user_present = excluded.user_present, recording_positions = excluded.recording_positions, recorded_analyzers = excluded.recorded_analyzers,
  context = excluded.context, input_hash = excluded.input_hash, updated_at = excluded.updated_at
WHERE feedback_inputs.input_hash IS DISTINCT FROM excluded.input_hash
   OR feedback_inputs.completed_at IS DISTINCT FROM excluded.completed_at`;

// An erased conversation's rows, in every read model that holds any: feedback of every version
// (live and building), what scoring reads, its recordings, reconciliation's state, its parked work.
const PURGE = `
WITH scores AS (DELETE FROM feedback_scores WHERE conversation_id = ANY($1::uuid[])),
     inputs AS (DELETE FROM feedback_inputs WHERE conversation_id = ANY($1::uuid[])),
     recordings AS (DELETE FROM recordings WHERE conversation_id = ANY($1::uuid[])),
     reconciling AS (DELETE FROM reconcile_conversations WHERE conversation_id = ANY($1::uuid[])),
     parked AS (DELETE FROM dead_letters WHERE stream_id IN (SELECT stream_id FROM conversations WHERE id = ANY($1::uuid[])))
DELETE FROM conversations WHERE id = ANY($1::uuid[])`;

/**
 * Deletes these conversations from the read models (their erasure, or its replay by the runner).
 * The rows are locked first: a projection writing one of them meanwhile (it read the stream before
 * the erasure committed) would otherwise add a row that references it after this statement's
 * snapshot, and the delete would fail on the foreign key. Locked, that write waits, and rewrites
 * the rows after the commit; the tombstone's own pass, just behind it, purges them again.
 */
export async function purgeConversations(client: pg.PoolClient, conversationIds: string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  await client.query('SELECT 1 FROM conversations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [conversationIds]);
  await client.query(PURGE, [conversationIds]);
}

export function conversationsProjection(keyring: Keyring): Projection {
  return {
    name: 'conversations',
    apply: (client: pg.PoolClient, events: EventHead[]) => projectConversations(client, keyring, [...new Set(events.map((e) => e.streamId))]),
  };
}

/**
 * Folds these streams into their rows. The runner calls it for a batch; a command that must read
 * its own write (a conversation just started) calls it inside its appending transaction.
 */
export async function projectConversations(client: pg.PoolClient, keyring: Keyring, streamIds: string[]): Promise<void> {
  const streams = await readStreams(client, keyring, streamIds);
  const conversations: ConversationRow[] = [];
  const inputs: FeedbackInputRow[] = [];
  const recordings: RecordingRow[] = [];
  const erased: string[] = [];
  for (const streamEvents of streams.values()) {
    const erasedId = erasedConversationOf(streamEvents);
    if (erasedId) {
      erased.push(erasedId);
      continue;
    }
    const view = foldConversation(streamEvents);
    if (!view) continue;
    conversations.push(view.conversation);
    if (view.feedbackInput) inputs.push(view.feedbackInput);
    recordings.push(...view.recordings);
  }
  await purgeConversations(client, erased);
  if (conversations.length === 0) return;
  await client.query(UPSERT, [JSON.stringify(conversations), JSON.stringify(inputs), JSON.stringify(recordings)]);
}
