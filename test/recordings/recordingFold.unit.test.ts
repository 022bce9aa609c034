import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordingStoredEvent } from '../../src/commands/recordRecordingStored.js';
import { factsOf } from '../../src/commands/recordCallback/facts.js';
import type { NewEvent, RecordedEvent } from '../../src/events/types.js';
import { foldConversation } from '../../src/projections/readModels/conversationFold.js';
import { parseCallback } from '../../src/tavus/callbacks.js';
import { exampleCallback, wildCallback } from '../support/callbacks.js';
import { transcribedConversation } from '../support/events.js';

// The fold's part in recordings: each S3 object Tavus names is one row whichever form named it and
// however often, copying until its RecordingStored, then stored with where it is kept; a reported
// failure is a row of its own; facts a foreign token brought count for nothing; order never matters.

let position = 0;
function stored(events: NewEvent[], at = '2025-01-01T00:01:00Z'): RecordedEvent[] {
  return events.map((e) => ({ ...e, position: String(++position), transactionId: '1', schemaVersion: 1, recordedAt: new Date(at) }));
}

/** A callback body as the webhook would record it (no token unless given). */
function callback(body: Record<string, unknown>, tokenConversationId?: string): NewEvent[] {
  const parsed = parseCallback(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const delivery = { id: randomUUID(), receivedAt: new Date('2025-01-01T00:00:30Z'), receivedBody: '{}', storedBody: '{}', requestId: null };
  const token = tokenConversationId ? { conversationId: tokenConversationId, issuedAt: null } : null;
  return factsOf({ callback: parsed.callback, token, policy: { requireToken: false, tokenTtlSeconds: 60 }, delivery });
}

const oldForm = (tavusId: string, key: string) => {
  const body = exampleCallback('application.recording_ready', tavusId);
  (body.properties as Record<string, unknown>).s3_key = key;
  return body;
};
const newForm = (tavusId: string, key: string) =>
  wildCallback('application.recording_ready', tavusId, { storage_provider: 's3', storage_uri: `s3://recordings/${key}` });
const copied = (tavusId: string, key: string) =>
  recordingStoredEvent({
    tavusConversationId: tavusId,
    stored: {
      source: { bucket: 'recordings', key },
      bucket: 'app-recordings',
      key: `recordings/${tavusId}.mp4`,
      bytes: 1234,
      sha256: 'a'.repeat(64),
      contentType: 'video/mp4',
      durationSeconds: 14,
    },
    storedAt: new Date('2025-01-01T00:02:00Z'),
  });

describe('the fold and recordings', () => {
  it('makes one copying row of an object named in both forms, with the duration the old form gave', () => {
    const base = transcribedConversation('rec-a');
    const view = foldConversation(stored([...base, ...callback(oldForm('rec-a', 'd/room/1')), ...callback(newForm('rec-a', 'd/room/1'))]))!;
    expect(view.recordings).toEqual([
      expect.objectContaining({
        source: 's3://recordings/d/room/1',
        source_bucket: 'recordings',
        source_key: 'd/room/1',
        status: 'copying',
        duration_seconds: 14,
      }),
    ]);
    expect(view.recordings[0]!.stream_id).toBe('conversation-rec-a');
    expect(view.conversation.recording_url).toBe('s3://recordings/d/room/1');
  });

  it('marks it stored once copied, and the conversation says where it is kept, whatever the order', () => {
    const events = stored([...transcribedConversation('rec-b'), ...callback(newForm('rec-b', 'd/room/2')), copied('rec-b', 'd/room/2')]);
    const one = foldConversation(events)!;
    const other = foldConversation([...events].reverse())!;
    expect(one.recordings).toEqual(other.recordings);
    expect(one.recordings[0]).toMatchObject({
      status: 'stored',
      stored_bucket: 'app-recordings',
      bytes: 1234,
      content_type: 'video/mp4',
      duration_seconds: 14,
    });
    expect(one.conversation.recording_url).toBe('s3://app-recordings/recordings/rec-b.mp4');
  });

  it("keeps Tavus's copy failure with its error, and only S3 objects as recordings", () => {
    const failed = callback(wildCallback('application.recording_copy_failed', 'rec-c', { error_message: 'AccessDenied writing to your bucket' }));
    const gcs = callback(wildCallback('application.recording_ready', 'rec-c', { storage_provider: 'gcs', storage_uri: 'gs://elsewhere/x' }));
    const view = foldConversation(stored([...transcribedConversation('rec-c'), ...failed, ...gcs]))!;
    expect(view.recordings).toEqual([expect.objectContaining({ source: '', status: 'failed', error: 'AccessDenied writing to your bucket' })]);
  });

  it('leaves out a recording a foreign callback token brought', () => {
    const view = foldConversation(stored([...transcribedConversation('rec-d'), ...callback(newForm('rec-d', 'd/room/4'), randomUUID())]))!;
    expect(view.recordings).toEqual([]);
  });
});
