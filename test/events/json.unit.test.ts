import { describe, expect, it } from 'vitest';
import { jsonOf } from '../../src/events/json.js';
import { idempotencyKey } from '../../src/events/streams.js';

describe('jsonOf', () => {
  it('writes what JSON.stringify writes, for objects, arrays and plain values', () => {
    for (const value of [{ turns: [{ role: 'user', content: 'hi' }], systemPromptRemoved: true }, ['r1'], 'text', 3, null]) {
      expect(jsonOf(value)).toBe(JSON.stringify(value));
      expect(jsonOf(value)).toBe(JSON.stringify(value));
    }
  });

  it('gives equal content the same idempotency key whether or not it was serialised before', () => {
    const data = { turns: [{ role: 'user', content: 'How was the week?' }], systemPromptRemoved: false };
    const first = idempotencyKey('conversation-c1', 'TranscriptReceived', data);
    expect(idempotencyKey('conversation-c1', 'TranscriptReceived', structuredClone(data))).toBe(first);
    expect(idempotencyKey('conversation-c1', 'TranscriptReceived', { ...data, systemPromptRemoved: true })).not.toBe(first);
  });
});
