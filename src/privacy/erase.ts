import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { appendEvents } from '../events/appendEvents.js';
import { notifyAppended } from '../events/notifyAppended.js';
import type { EventData, NewEvent } from '../events/types.js';
import { purgeConversations } from '../projections/readModels/conversations.js';
import { PERSONAL_FIELDS } from './personalFields.js';
import { ERASED_BODY } from './sealing.js';

// Erasing a conversation (the right to erasure, or its retention period ending). Everything that
// must hold together happens in one transaction:
// - its data key is destroyed: every sealed field of its events, here and in the KurrentDB copies,
//   and every sealed callback body, can no longer be opened by anyone;
// - events and bodies written before sealing existed (in the clear) have their personal fields
//   overwritten in place (the one change the history allows, migration 0030);
// - its read models are purged (the conversation, feedback of every version, what scoring reads,
//   its recordings, reconciliation's state, parked work);
// - a ConversationErased tombstone is appended, so the history says when, at whose request and why,
//   and every projection that replays the stream purges it again rather than bring it back.
// A recording copied into the app's storage is deleted from it first: if that fails nothing is erased
// and the caller may try again. Erasing again changes nothing.

export type ErasedBy = EventData<'ConversationErased'>['by'];

export interface ErasureTarget {
  conversationId: string;
  streamId: string;
}

export interface ErasureDeps {
  pool: pg.Pool;
  /** Deletes an object from the app's storage; absent when recordings are not set up. */
  removeRecording?: (object: { bucket: string; key: string }) => Promise<void>;
  now?: () => Date;
}

export interface ErasureOutcome {
  /** False when it had been erased already. */
  erased: boolean;
  recordingsDeleted: number;
}

export class RecordingNotRemovableError extends Error {
  override name = 'RecordingNotRemovableError';
}

// Legacy (unsealed) event data: the personal fields of its type removed, `erased` added; its plain
// content digests (idempotency key, body digest) replaced, since they would confirm a guess.
const REDACT_LEGACY_EVENTS = `
UPDATE events e
   SET data = ((e.data::jsonb - ARRAY(SELECT json_array_elements_text(f.fields))) || '{"erased": true}')::json,
       metadata = e.metadata - 'callbackSha256',
       idempotency_key = e.stream_id || '/' || e.type || '/erased-' || e.position
  FROM json_each($2::json) AS f(type, fields)
 WHERE e.stream_id = $1 AND e.type = f.type
   AND json_array_length(f.fields) > 0
   AND NOT (e.data::jsonb ?| ARRAY['sealed', 'erased'])`;

const REDACT_LEGACY_BODIES = `
UPDATE callbacks SET body = $2, body_sha256 = 'erased' WHERE stream_id = $1 AND NOT starts_with(body, '{"sealed":') AND body <> $2`;

const DESTROY_KEY = `
INSERT INTO data_keys (stream_id, key_id, kek_id, wrapped, erased_at) VALUES ($1, gen_random_uuid(), NULL, NULL, now())
ON CONFLICT (stream_id) DO UPDATE SET wrapped = NULL, kek_id = NULL, erased_at = coalesce(data_keys.erased_at, now())`;

const RECORD_ERASURE = `
INSERT INTO erased_conversations (conversation_id, stream_id, erased_at, erased_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (conversation_id) DO NOTHING`;

const STORED_RECORDINGS = `SELECT stored_bucket AS bucket, stored_key AS key FROM recordings WHERE conversation_id = $1 AND status = 'stored'`;

export async function eraseConversation(deps: ErasureDeps, target: ErasureTarget, by: ErasedBy): Promise<ErasureOutcome> {
  const stored = (await deps.pool.query<{ bucket: string; key: string }>(STORED_RECORDINGS, [target.conversationId])).rows;
  if (stored.length > 0 && !deps.removeRecording) {
    throw new RecordingNotRemovableError(
      'this conversation has a recording in the app’s storage, and recordings are not set up here (RECORDINGS_S3_*) to delete it',
    );
  }
  for (const object of stored) {
    try {
      await deps.removeRecording!(object);
    } catch (err) {
      throw new RecordingNotRemovableError(`its recording could not be deleted from the app’s storage (${(err as Error).name}); nothing was erased, try again`);
    }
  }

  const erasedAt = (deps.now ?? (() => new Date()))().toISOString();
  const tombstone: NewEvent = {
    type: 'ConversationErased',
    data: { conversationId: target.conversationId, erasedAt, by, recordingsDeleted: stored.length },
    streamId: target.streamId,
    // One tombstone a conversation, however often it is erased.
    idempotencyKey: `${target.streamId}/ConversationErased`,
    metadata: { receivedAt: erasedAt, source: 'erasure' },
  };
  const { appended } = await inTransaction(deps.pool, async (client) => {
    await client.query("SET LOCAL tavus_feedback.erasing = 'on'");
    await client.query(DESTROY_KEY, [target.streamId]);
    await client.query(REDACT_LEGACY_EVENTS, [target.streamId, JSON.stringify(PERSONAL_FIELDS)]);
    await client.query(REDACT_LEGACY_BODIES, [target.streamId, ERASED_BODY]);
    await purgeConversations(client, [target.conversationId]);
    await client.query(RECORD_ERASURE, [target.conversationId, target.streamId, erasedAt, by]);
    // Last: the append lock it takes is held only until the commit just after.
    return appendEvents(client, [tombstone]);
  });
  if (appended.size > 0) await notifyAppended(deps.pool).catch(() => {});
  return { erased: appended.size > 0, recordingsDeleted: stored.length };
}
