import { describe, expect, it } from 'vitest';
import { decideCallback, outcomeOfReason, type RecordCallback } from '../../src/commands/recordCallback.js';
import type { StartedConversation } from '../../src/events/readStartedConversations.js';
import { parseCallback } from '../../src/tavus/callbacks.js';
import { exampleCallback, singleBodyCallback, wildCallback } from '../support/callbacks.js';

const OURS = '0b7c6f1e-2a59-4d7c-9d43-6f0d3c1a2b3c';
const started: StartedConversation = { streamId: 'conversation-c1', id: OURS, userId: '9a1b2c3d-0000-4000-8000-000000000001' };

function command(body: unknown, token: string | null = OURS, requireToken = true): RecordCallback {
  const parsed = parseCallback(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return {
    callback: parsed.callback,
    tokenConversationId: token,
    requireToken,
    delivery: { id: 'd1', receivedAt: new Date('2025-07-11T06:50:00Z'), bodySha256: 'abc', requestId: 'r1' },
  };
}

function eventsOf(state: StartedConversation | undefined, cmd: RecordCallback) {
  const decision = decideCallback(state, cmd);
  if (decision.outcome !== 'accepted') throw new Error(`rejected: ${decision.message}`);
  return decision.events;
}

describe('decideCallback', () => {
  it('records a shutdown as the end, completed or failed by its reason', () => {
    const [ended] = eventsOf(started, command(exampleCallback('system.shutdown', 'c1')));
    expect(ended).toMatchObject({
      type: 'ConversationEnded',
      streamId: 'conversation-c1',
      data: { outcome: 'completed', reason: 'participant_left_timeout', at: '2025-07-11T06:48:37.564961Z' },
      metadata: { callbackId: 'd1', callbackType: 'system.shutdown', source: 'tavus-callback' },
    });
    for (const reason of ['exception_encountered_during_conversation_startup', 'internal error occurred at step 3', 'bot never joined']) {
      expect(outcomeOfReason(reason), reason).toBe('failed');
    }
    for (const reason of ['max_call_duration reached', 'participant_absent_timeout reached', 'end_conversation_endpoint_hit']) {
      expect(outcomeOfReason(reason), reason).toBe('completed');
    }
  });

  it('drops the system prompt from a transcript', () => {
    const [transcript] = eventsOf(started, command(exampleCallback('application.transcription_ready', 'c1')));
    expect(transcript!.type).toBe('TranscriptReceived');
    if (transcript!.type !== 'TranscriptReceived') return;
    expect(transcript!.data.systemPromptRemoved).toBe(true);
    expect(transcript!.data.turns).toHaveLength(10);
    expect(transcript!.data.turns[0]).toEqual({ role: 'user', content: 'Hi.' });
  });

  it('gives a repeated fact the same key and a different fact another', () => {
    const a = eventsOf(started, command(exampleCallback('system.shutdown', 'c1')));
    const b = eventsOf(started, command(exampleCallback('system.shutdown', 'c1')));
    expect(a[0]!.idempotencyKey).toBe(b[0]!.idempotencyKey);
    const other = exampleCallback('system.shutdown', 'c1');
    (other.properties as Record<string, unknown>).shutdown_reason = 'max_call_duration reached';
    expect(eventsOf(started, command(other))[0]!.idempotencyKey).not.toBe(a[0]!.idempotencyKey);
  });

  it('treats replica_joined and pal_joined as one fact', () => {
    const replica = eventsOf(started, command(exampleCallback('system.replica_joined', 'c1')));
    const pal = eventsOf(started, command(wildCallback('system.pal_joined', 'c1', { replica_id: 'r-test' })));
    expect(pal[0]!.idempotencyKey).toBe(replica[0]!.idempotencyKey);
  });

  it('reads both shapes of recording_ready', () => {
    const [old] = eventsOf(started, command(exampleCallback('application.recording_ready', 'c1')));
    expect(old!.data).toEqual({ url: 's3://recordings/c1.mp4', storageProvider: 's3', bucketName: 'recordings', key: 'c1.mp4', durationSeconds: 14 });
    const [fresh] = eventsOf(started, command(wildCallback('application.recording_ready', 'c1', { storage_provider: 'gcs', storage_uri: 'gs://b/k.mp4' })));
    expect(fresh!.data).toMatchObject({ url: 'gs://b/k.mp4', storageProvider: 'gcs' });
  });

  it('keeps failures Tavus reports and types it does not know, acting on neither', () => {
    const [failed] = eventsOf(started, command(wildCallback('application.recording_copy_failed', 'c1', { error_message: 'bucket denied' })));
    expect(failed).toMatchObject({ type: 'CallbackIgnored', data: { reason: 'failure reported', eventType: 'application.recording_copy_failed' } });
    const [unknown] = eventsOf(started, command(wildCallback('system.something_new', 'c1', { x: 1 })));
    expect(unknown).toMatchObject({ type: 'CallbackIgnored', data: { reason: 'unknown event type', properties: { x: 1 } } });
  });

  it('splits the single-body form into the facts it reports', () => {
    const events = eventsOf(started, command(singleBodyCallback('c1', 4)));
    expect(events.map((e) => e.type)).toEqual(['ConversationEnded', 'TranscriptReceived', 'RecordingReady']);
    expect(events[0]!.data).toMatchObject({ outcome: 'completed', durationSeconds: 300, participantName: 'Sam' });
  });

  it('refuses a token-less callback when tokens are required', () => {
    expect(decideCallback(started, command(exampleCallback('system.shutdown', 'c1'), null))).toMatchObject({ outcome: 'rejected', status: 401 });
  });

  it("refuses another conversation's token", () => {
    const other = '11111111-2222-4333-8444-555555555555';
    expect(decideCallback(started, command(exampleCallback('system.shutdown', 'c1'), other))).toMatchObject({ outcome: 'rejected', status: 401 });
  });

  it('accepts a genuine token before our record of the start exists, and refuses unknown conversations without one', () => {
    expect(decideCallback(undefined, command(exampleCallback('system.shutdown', 'c1'))).outcome).toBe('accepted');
    expect(decideCallback(undefined, command(exampleCallback('system.shutdown', 'c1'), null, false))).toMatchObject({ outcome: 'rejected', status: 404 });
    expect(decideCallback(started, command(exampleCallback('system.shutdown', 'c1'), null, false)).outcome).toBe('accepted');
  });
});
