import { describe, expect, it } from 'vitest';
import { hasUnreadableText } from '../../src/events/unreadableJson.js';

describe('text Postgres cannot read back from json', () => {
  it('is found in what JSON.stringify writes for NUL and unpaired surrogates', () => {
    expect(hasUnreadableText(JSON.stringify({ content: 'a\u0000b' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify({ content: 'half \ud83d' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify({ content: 'half \ude00 low' }))).toBe(true);
    expect(hasUnreadableText(JSON.stringify(['\\', '\ud800']))).toBe(true);
  });

  it('is not found in paired surrogates, other escapes or the same letters typed literally', () => {
    expect(hasUnreadableText(JSON.stringify({ content: 'a whole emoji 😀, a tab\t and a bell \u0007' }))).toBe(false);
    expect(hasUnreadableText(JSON.stringify({ content: 'typed: \\u0000 and \\ud800' }))).toBe(false);
    expect(hasUnreadableText(JSON.stringify({ content: 'two backslashes \\\\ud800' }))).toBe(false);
  });
});
