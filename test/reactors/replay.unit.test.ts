import { describe, expect, it } from 'vitest';
import { backoffSeconds, MAX_BACKOFF_SECONDS } from '../../src/reactors/reconcile/backoff.js';
import { queueOptions } from '../../src/reactors/reconcile/pass.js';
import { replayedCallbacks } from '../../src/reactors/reconcile/replay.js';
import { exampleCallback } from '../support/callbacks.js';

const context = { tavusConversationId: 'c1', receivedAt: new Date('2025-07-11T07:00:00Z'), passId: 'pass-1', tokenTtlSeconds: 86400 };
const TOKEN_URL = 'https://feedback.example/webhooks/tavus/0192.secret-token';

describe('replaying the events of a verbose GET', () => {
  it('makes each event the command a callback would be, from reconciliation, without a token', () => {
    const event = { ...exampleCallback('system.shutdown', 'c1'), webhook_url: TOKEN_URL, created_at: '2025-07-11T06:48:38Z' };
    const { commands, unreadable } = replayedCallbacks([event], context);
    expect(unreadable).toEqual([]);
    expect(commands).toHaveLength(1);
    const [command] = commands;
    expect(command).toMatchObject({ token: null, policy: { requireToken: false }, source: 'reconcile', callback: { kind: 'shutdown' } });
    expect(command!.delivery).toMatchObject({
      receivedAt: context.receivedAt,
      requestId: 'pass-1',
    });
    expect(command!.delivery.receivedBody).toBe(command!.delivery.storedBody);
    // Kept as answered, less the token Tavus echoes.
    expect(JSON.parse(command!.delivery.storedBody)).toEqual({ ...event, webhook_url: '(redacted)' });
    expect(JSON.stringify(command)).not.toContain('secret-token');
  });

  it('reads epoch-second timestamps and fills in the conversation an event leaves out', () => {
    const event: Record<string, unknown> = { ...exampleCallback('system.replica_joined', 'c1'), timestamp: 1752216517.5 };
    delete event.conversation_id;
    const { commands } = replayedCallbacks([event], context);
    expect(commands[0]!.callback.body).toMatchObject({ conversation_id: 'c1', timestamp: '2025-07-11T06:48:37.500Z' });
  });

  it('sets aside what is not a callback of this conversation, and keeps the rest', () => {
    const good = exampleCallback('application.recording_ready', 'c1');
    const { commands, unreadable } = replayedCallbacks(
      [
        'text',
        { properties: {} },
        { ...good, conversation_id: 'c2' },
        { event_type: 'application.transcription_ready', properties: { transcript: 'no' } },
        good,
      ],
      context,
    );
    expect(commands.map((c) => c.callback.kind)).toEqual(['recording_ready']);
    expect(unreadable).toEqual([
      'event 0: not an object',
      'event 1: no event_type',
      'event 2: names another conversation',
      expect.stringMatching(/^event 3: properties\.transcript /),
    ]);
  });
});

describe('asking again', () => {
  it('waits a minute after the first answer, doubling, at most six hours, never less than Retry-After', () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n))).toEqual([60, 120, 240, 480]);
    expect(backoffSeconds(12)).toBe(MAX_BACKOFF_SECONDS);
    expect(backoffSeconds(1000)).toBe(MAX_BACKOFF_SECONDS);
    expect(backoffSeconds(1, 300)).toBe(300);
    expect(backoffSeconds(3, 30)).toBe(240);
  });

  it('turns a rate per second into a sliding window of whole requests', () => {
    expect(queueOptions(2, 4)).toEqual({ concurrency: 4, intervalCap: 2, interval: 1000, strict: true });
    expect(queueOptions(0.5, 1)).toEqual({ concurrency: 1, intervalCap: 1, interval: 2000, strict: true });
    expect(queueOptions(2.5, 4)).toMatchObject({ intervalCap: 2, interval: 800 });
  });
});
