import { describe, expect, it } from 'vitest';
import { instantMs, toIsoInstant } from '../../src/instants.js';
import { cleanText, cleanTranscript } from '../../src/tavus/transcript.js';
import { redactCallbackTokens } from '../../src/tavus/redact.js';
import { nestingDepth } from '../../src/http/nesting.js';

describe('instants', () => {
  it('reads ISO-8601 with a zone and epoch seconds or milliseconds as the same instant', () => {
    const ms = Date.UTC(2025, 6, 11, 6, 48, 37, 564);
    expect(instantMs('2025-07-11T06:48:37.564961Z')).toBe(ms);
    expect(instantMs('2025-07-11T08:48:37.564+02:00')).toBe(ms);
    expect(instantMs('2025-07-11T08:48:37.564+0200')).toBe(ms);
    expect(instantMs(ms / 1000)).toBe(ms);
    expect(instantMs(ms)).toBe(ms);
    expect(toIsoInstant(1752216517.564)).toBe('2025-07-11T06:48:37.564Z');
  });

  it('refuses what is not an instant, or not one of this century', () => {
    for (const v of [
      '2025-07-11T06:48:37',
      'yesterday',
      '',
      '275760-09-13T00:00:00Z',
      '1999-12-31T23:59:59Z',
      NaN,
      Infinity,
      32503680000,
      -1,
      null,
      {},
      true,
    ]) {
      expect(instantMs(v), JSON.stringify(v)).toBeNull();
    }
  });
});

describe('a live transcript', () => {
  const rows = [
    { role: 'system', content: 'You are Sam, a project manager. '.repeat(50) },
    { role: 'assistant', content: '<emotion value="calm"/>Hi, thanks for  making time.<break time="1s"/>', timestamp: 1752216517.5 },
    { role: 'user', content: 'USER_SPEECH: How did the launch go? VISUAL_SCENE: a person at a desk, smiling', timestamp: 'not a time' },
    { role: 'system', content: "The user's timezone is unknown." },
    { role: 'assistant', content: null, tool_calls: [{ id: 't1', function: { name: 'lookup' } }] },
    { role: 'tool', content: '{"ok":true}' },
    { role: 'assistant', content: '   ' },
    { role: 'user', content: 42 },
    'a string row',
    { role: 'user', content: 'Is 3 < 4 still true?', seconds_from_start: 12.5 },
  ];

  it('keeps the talk, cleaned, and says what it set aside', () => {
    const cleaned = cleanTranscript(rows);
    expect(cleaned.turns).toEqual([
      { role: 'assistant', content: 'Hi, thanks for making time.', timestamp: 1752216517.5 },
      { role: 'user', content: 'How did the launch go?' },
      { role: 'user', content: 'Is 3 < 4 still true?', secondsFromStart: 12.5 },
    ]);
    expect(cleaned.systemPromptRemoved).toBe(true);
    expect(cleaned.setAside).toEqual({ system: 1, 'tool call': 1, tool: 1, 'no text': 2, 'no role': 1 });
    expect(cleaned.changed).toBe(true);
  });

  it('leaves a clean transcript as it is', () => {
    const cleaned = cleanTranscript([
      { role: 'user', content: 'Hello there.' },
      { role: 'assistant', content: 'Hi!' },
    ]);
    expect(cleaned).toEqual({
      turns: [
        { role: 'user', content: 'Hello there.' },
        { role: 'assistant', content: 'Hi!' },
      ],
      systemPromptRemoved: false,
      setAside: {},
      changed: false,
    });
    expect(cleanText('plain words')).toBe('plain words');
  });
});

describe('callback tokens in bodies and paths', () => {
  it('are redacted wherever they appear, leaving valid JSON', () => {
    const token = '0197f8c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const body = JSON.stringify({
      webhook_url: `https://feedback.example/webhooks/tavus/${token}`,
      note: `see ${token}`,
      other: 'https://x/webhooks/tavus/another.token',
    });
    const redacted = redactCallbackTokens(body, token);
    expect(redacted).not.toContain(token);
    expect(redacted).not.toContain('another.token');
    expect(JSON.parse(redacted)).toEqual({
      webhook_url: 'https://feedback.example/webhooks/tavus/[redacted]',
      note: 'see [redacted]',
      other: 'https://x/webhooks/tavus/[redacted]',
    });
  });
});

describe('nesting depth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestingDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(nestingDepth('{"a":"[[[[{{{{\\"]]]"}')).toBe(1);
    expect(nestingDepth('[]')).toBe(1);
    expect(nestingDepth('"x"')).toBe(0);
    expect(nestingDepth('['.repeat(5000) + ']'.repeat(5000))).toBe(5000);
  });
});
