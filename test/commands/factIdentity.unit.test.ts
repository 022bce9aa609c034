import { describe, expect, it } from 'vitest';
import type { CallbackSource, RecordCallback } from '../../src/commands/recordCallback/command.js';
import { factsOf } from '../../src/commands/recordCallback/facts.js';
import { parseCallback } from '../../src/tavus/callbacks.js';
import { EXAMPLE_TYPES, exampleCallback, wildCallback } from '../support/callbacks.js';

// A fact Tavus POSTs and the same fact replayed by its verbose GET must be one event: the key hashes
// the fact, never the channel's envelope (when it was sent, the echoed URL, key order).

function command(body: unknown, source?: CallbackSource): RecordCallback {
  const parsed = parseCallback(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return {
    callback: parsed.callback,
    token: null,
    policy: { requireToken: false, tokenTtlSeconds: 86400 },
    ...(source ? { source } : {}),
    delivery: { id: 'd1', receivedAt: new Date('2025-07-11T07:00:00Z'), receivedBody: '{}', storedBody: '{}', requestId: null },
  };
}

/** The same object with every key order reversed, as a store that sorts keys might give it back. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

/** What a replay of the same callback may differ in: envelope, echoed URL, extra fields, key order. */
function asReplayed(body: Record<string, unknown>): unknown {
  const { webhook_url: _url, timestamp, ...rest } = body;
  const instant = typeof timestamp === 'string' ? new Date(Date.parse(timestamp) + 1).toISOString() : undefined;
  return reversed({ ...rest, timestamp: instant, created_at: '2025-07-11T06:49:00Z', updated_at: '2025-07-11T06:49:01Z' });
}

const keysOf = (cmd: RecordCallback) => factsOf(cmd).map((e) => e.idempotencyKey);

describe('the identity of a fact', () => {
  it.each(EXAMPLE_TYPES)('is the same for %s posted by Tavus and replayed by its GET', (type) => {
    const posted = exampleCallback(type, 'c1');
    expect(keysOf(command(asReplayed(posted), 'reconcile'))).toEqual(keysOf(command(posted)));
  });

  it('is the same for a live transcript with odd rows, whatever the order of its rows’ keys', () => {
    const rows = [
      { role: 'system', content: 'prompt' },
      { role: 'user', content: 'Hi <break time="1s"/>', timestamp: 1752216600 },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', function: { name: 'f', arguments: '{}' } }] },
    ];
    const posted = wildCallback('application.transcription_ready', 'c1', { replica_id: 'r', transcript: rows });
    const [event] = factsOf(command(posted));
    expect(event).toMatchObject({ type: 'TranscriptReceived', data: { received: rows.slice(1) } });
    expect(keysOf(command(asReplayed(posted), 'reconcile'))).toEqual(keysOf(command(posted)));
  });

  it('is the same for a callback of a type we do not know, whatever the order of its properties', () => {
    const posted = wildCallback('conversation.objective.completed', 'c1', { objective_name: 'rapport', output_variables: { mood: 'calm', next: ['call'] } });
    expect(keysOf(command(asReplayed(posted), 'reconcile'))).toEqual(keysOf(command(posted)));
  });

  it('still tells different facts apart', () => {
    const ended = exampleCallback('system.shutdown', 'c1');
    const failed = structuredClone(ended);
    (failed.properties as Record<string, unknown>).shutdown_reason = 'exception_encountered_during_conversation_startup';
    expect(keysOf(command(failed))).not.toEqual(keysOf(command(ended)));

    const transcript = exampleCallback('application.transcription_ready', 'c1');
    const edited = structuredClone(transcript);
    (edited.properties as { transcript: { content: string }[] }).transcript[1]!.content = 'Hello there.';
    expect(keysOf(command(edited))).not.toEqual(keysOf(command(transcript)));

    const other = wildCallback('conversation.objective.completed', 'c1', { objective_name: 'rapport', output_variables: { mood: 'tense' } });
    const first = wildCallback('conversation.objective.completed', 'c1', { objective_name: 'rapport', output_variables: { mood: 'calm' } });
    expect(keysOf(command(other))).not.toEqual(keysOf(command(first)));
  });

  it('keeps the channel in the metadata, not in the key', () => {
    const posted = exampleCallback('system.shutdown', 'c1');
    expect(factsOf(command(posted))[0]!.metadata.source).toBe('tavus-callback');
    expect(factsOf(command(posted, 'reconcile'))[0]!.metadata.source).toBe('reconcile');
  });
});
