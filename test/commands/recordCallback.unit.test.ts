import { describe, expect, it } from 'vitest';
import type { RecordCallback } from '../../src/commands/recordCallback/command.js';
import { decide } from '../../src/commands/recordCallback/decide.js';
import { evolve, initialStreamState, type CallbackState } from '../../src/commands/recordCallback/state.js';
import { outcomeOfReason } from '../../src/events/conversationFacts.js';
import type { DomainEvent } from '../../src/events/types.js';
import { parseCallback } from '../../src/tavus/callbacks.js';
import { exampleCallback, singleBodyCallback, wildCallback } from '../support/callbacks.js';
import { deciderSpec } from '../support/deciderSpec.js';

const OURS = '0b7c6f1e-2a59-4d7c-9d43-6f0d3c1a2b3c';
const OTHER = '11111111-2222-4333-8444-555555555555';
const startedAt = '2025-07-11T06:40:00.000Z';
const start = (id = OURS): DomainEvent => ({
  type: 'ConversationStarted',
  data: {
    id,
    userId: '9a1b2c3d-0000-4000-8000-000000000001',
    scenario: { id: 's', name: 's', description: null, rubric: null },
    replicaId: null,
    personaId: null,
    conversationName: null,
    tavusConversationId: 'c1',
    conversationUrl: null,
    startedAt,
  },
});

/** The callback decider, with the token bound to `tokenBoundTo` (token_bindings) beside the stream's events. */
const callbacks = (tokenBoundTo: string | null = null) => {
  const initialState: CallbackState = { stream: initialStreamState, tokenBoundTo };
  return deciderSpec({
    initialState,
    evolve: (state: CallbackState, event: DomainEvent) => ({ ...state, stream: evolve(state.stream, event) }),
    decide,
  });
};
const started = callbacks().given([start()]);

function command(body: unknown, token: string | null = OURS, requireToken = true, receivedAt = '2025-07-11T06:50:00Z'): RecordCallback {
  const parsed = parseCallback(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return {
    callback: parsed.callback,
    token: token === null ? null : { conversationId: token, issuedAt: null },
    policy: { requireToken, tokenTtlSeconds: 7 * 86400 },
    delivery: { id: 'd1', receivedAt: new Date(receivedAt), receivedBody: '{}', storedBody: '{}', requestId: 'r1' },
  };
}

function eventsOf(cmd: RecordCallback) {
  const decision = decide({ stream: evolve(initialStreamState, start()), tokenBoundTo: null }, cmd);
  if (!decision.accepted) throw new Error(`rejected: ${decision.rejection.reason}`);
  return decision.events;
}

describe('recording a callback', () => {
  it('records a shutdown as the end, completed or failed by its reason', () => {
    const [ended] = eventsOf(command(exampleCallback('system.shutdown', 'c1')));
    expect(ended).toMatchObject({
      type: 'ConversationEnded',
      streamId: 'conversation-c1',
      data: { outcome: 'completed', reason: 'participant_left_timeout', at: '2025-07-11T06:48:37.564Z' },
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
    const [transcript] = eventsOf(command(exampleCallback('application.transcription_ready', 'c1')));
    expect(transcript!.type).toBe('TranscriptReceived');
    if (transcript!.type !== 'TranscriptReceived') return;
    expect(transcript!.data.systemPromptRemoved).toBe(true);
    expect(transcript!.data.turns).toHaveLength(10);
    expect(transcript!.data.turns[0]).toEqual({ role: 'user', content: 'Hi.' });
  });

  it('gives a repeated fact the same key and a different fact another', () => {
    const a = eventsOf(command(exampleCallback('system.shutdown', 'c1')));
    const b = eventsOf(command(exampleCallback('system.shutdown', 'c1')));
    expect(a[0]!.idempotencyKey).toBe(b[0]!.idempotencyKey);
    const other = exampleCallback('system.shutdown', 'c1');
    (other.properties as Record<string, unknown>).shutdown_reason = 'max_call_duration reached';
    expect(eventsOf(command(other))[0]!.idempotencyKey).not.toBe(a[0]!.idempotencyKey);
  });

  it('treats replica_joined and pal_joined as one fact', () => {
    const replica = eventsOf(command(exampleCallback('system.replica_joined', 'c1')));
    const pal = eventsOf(command(wildCallback('system.pal_joined', 'c1', { replica_id: 'r-test' })));
    expect(pal[0]!.idempotencyKey).toBe(replica[0]!.idempotencyKey);
  });

  it('reads both shapes of recording_ready', () => {
    const [old] = eventsOf(command(exampleCallback('application.recording_ready', 'c1')));
    expect(old!.data).toEqual({ url: 's3://recordings/c1.mp4', storageProvider: 's3', bucketName: 'recordings', key: 'c1.mp4', durationSeconds: 14 });
    const [fresh] = eventsOf(command(wildCallback('application.recording_ready', 'c1', { storage_provider: 'gcs', storage_uri: 'gs://b/k.mp4' })));
    expect(fresh!.data).toMatchObject({ url: 'gs://b/k.mp4', storageProvider: 'gcs' });
  });

  it('keeps failures Tavus reports and types it does not know, acting on neither', () => {
    const [failed] = eventsOf(command(wildCallback('application.recording_copy_failed', 'c1', { error_message: 'bucket denied' })));
    expect(failed).toMatchObject({ type: 'CallbackIgnored', data: { reason: 'failure reported', eventType: 'application.recording_copy_failed' } });
    const [unknown] = eventsOf(command(wildCallback('system.something_new', 'c1', { x: 1 })));
    expect(unknown).toMatchObject({ type: 'CallbackIgnored', data: { reason: 'unknown event type', properties: { x: 1 } } });
  });

  it('splits the single-body form into the facts it reports', () => {
    const events = eventsOf(command(singleBodyCallback('c1', 4)));
    expect(events.map((e) => e.type)).toEqual(['ConversationEnded', 'TranscriptReceived', 'RecordingReady']);
    expect(events[0]!.data).toMatchObject({ outcome: 'completed', durationSeconds: 300, participantName: 'Sam' });
  });

  it('refuses a token-less callback when tokens are required', () => {
    started.when(command(exampleCallback('system.shutdown', 'c1'), null)).thenRejected('token_required');
  });

  it("refuses another conversation's token, on a started stream and on one its token is not bound to", () => {
    started.when(command(exampleCallback('system.shutdown', 'c1'), OTHER)).thenRejected('foreign_token');
    callbacks('conversation-c2')
      .given([])
      .when(command(exampleCallback('system.shutdown', 'c1')))
      .thenRejected('foreign_token');
  });

  it('accepts a genuine token racing ahead of the start, binding it to this stream', () => {
    const cmd = command(exampleCallback('system.shutdown', 'c1'));
    callbacks()
      .given([])
      .when(cmd)
      .then([{ type: 'ConversationEnded', metadata: { tokenConversationId: OURS } }]);
    expect(decide({ stream: initialStreamState, tokenBoundTo: null }, cmd)).toMatchObject({ claim: { token: OURS, streamId: 'conversation-c1' } });
    callbacks('conversation-c1')
      .given([])
      .when(cmd)
      .then([{ type: 'ConversationEnded' }]);
  });

  it('refuses unknown conversations without a token, and accepts known ones when tokens are not required', () => {
    callbacks()
      .given([])
      .when(command(exampleCallback('system.shutdown', 'c1'), null, false))
      .thenRejected('unknown_conversation');
    started.when(command(exampleCallback('system.shutdown', 'c1'), null, false)).then([{ type: 'ConversationEnded', metadata: { source: 'tavus-callback' } }]);
  });

  it('refuses a token once its time to live after the start has passed', () => {
    started.when(command(exampleCallback('system.shutdown', 'c1'), OURS, true, '2025-07-18T06:39:00Z')).then([{ type: 'ConversationEnded' }]);
    started.when(command(exampleCallback('system.shutdown', 'c1'), OURS, true, '2025-07-18T06:41:00Z')).thenRejected('token_expired');
  });
});
