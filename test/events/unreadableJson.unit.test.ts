import { describe, expect, it } from 'vitest';
import { hasUnreadableText, replaceUnreadableText } from '../../src/events/unreadableJson.js';

describe('text Postgres cannot read back from json', () => {
  it('is found in what JSON.stringify writes for NUL and unpaired surrogates', () => {
    expect(hasUnreadableText(JSON.stringify({ content: 'a\u0000b' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify({ content: 'half \ud83d' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify({ content: 'half \ude00 low' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify(['\\', '\ud800']))).toBe(true);
    expect(hasUnreadableText(String.raw`{"a":"\ud83d\ud83d\ude00"}`)).toBe(true);
  });

  it('is not found in paired surrogates, written as characters or as two escapes, nor in literal text', () => {
    expect(hasUnreadableText(JSON.stringify({ content: 'a whole emoji 😀, a tab\t and a bell \u0007' }))).toBe(false);
    // Python's json.dumps (ensure_ascii) writes 😀 this way.
    expect(hasUnreadableText(String.raw`{"content":"a whole emoji \ud83d\ude00 and \u00e9"}`)).toBe(false);
    expect(hasUnreadableText(JSON.stringify({ content: 'typed: \\u0000 and \\ud800' }))).toBe(false);
    expect(hasUnreadableText(JSON.stringify({ content: 'two backslashes \\\\ud800' }))).toBe(false);
  });

  it('is replaced by U+FFFD where it must not be refused, leaving everything else as it was', () => {
    const json = String.raw`{"a":"x\u0000y","b":"\ud83d\ude00","c":"lone \ud800!","d":"typed \\u0000"}`;
    const replaced = replaceUnreadableText(json);
    expect(hasUnreadableText(replaced)).toBe(false);
    expect(JSON.parse(replaced)).toEqual({ a: 'x\ufffdy', b: '😀', c: 'lone \ufffd!', d: 'typed \\u0000' });
  });
});
