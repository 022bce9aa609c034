import type pg from 'pg';
import { conversationStream, idempotencyKey } from '../events/streams.js';
import type { EventData, NewEvent } from '../events/types.js';
import type { Keyring } from '../privacy/keyring.js';
import { GroupCommit } from './groupCommit.js';
import type { Rejection } from './rejections.js';

// A recording copied and checked becomes the RecordingStored fact of its conversation. Pure: what
// was copied, where to, and when come in; the event to append goes out.
//
// The idempotency key names the stream and the object Tavus wrote, and nothing of the copy: an
// object is copied once. The same recording announced twice, or in both of Tavus's forms (bucket and
// key, or a storage URI), is one object; a second copy (two instances overlapping for a moment, a
// retry after an unknown outcome) is the same fact, and the store appends it never.

export interface RecordRecordingStored {
  tavusConversationId: string;
  stored: EventData<'RecordingStored'>;
  /** When the copy was checked; passed in, so this stays a function of its input. */
  storedAt: Date;
}

export function recordingStoredKey(streamId: string, source: { bucket: string; key: string }): string {
  return idempotencyKey(streamId, 'RecordingStored', [source.bucket, source.key]);
}

export function recordingStoredEvent(command: RecordRecordingStored): NewEvent {
  const streamId = conversationStream(command.tavusConversationId);
  return {
    type: 'RecordingStored',
    data: command.stored,
    streamId,
    idempotencyKey: recordingStoredKey(streamId, command.stored.source),
    metadata: { receivedAt: command.storedAt.toISOString(), source: 'recordings' },
  };
}

type RecordingsDoor = GroupCommit<RecordRecordingStored, null, Rejection>;
const doors = new WeakMap<pg.Pool, RecordingsDoor>();

/**
 * The one door every write goes through (groupCommit.ts), for copies checked: a copy is a fact of
 * its own, so there is no state to decide on, and repeats are the idempotency key's to refuse. One
 * door a pool, so that copies ending together share a commit.
 */
export function recordingsStored(pool: pg.Pool, keyring: Keyring): RecordingsDoor {
  let door = doors.get(pool);
  if (!door) {
    door = new GroupCommit<RecordRecordingStored, null, Rejection>(pool, keyring, {
      streamOf: (command) => conversationStream(command.tavusConversationId),
      loadStates: (_db, commands) => Promise.resolve(commands.map(() => null)),
      decide: (_state, command) => ({ accepted: true, events: [recordingStoredEvent(command)] }),
      claimLost: { reason: 'foreign_token' },
      unstorable: (detail) => ({ reason: 'invalid_value', detail }),
    });
    doors.set(pool, door);
  }
  return door;
}
