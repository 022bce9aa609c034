// Event data is kept as json text, which Postgres checks only loosely on the way in but fully when
// its JSON operators read it. Two escapes pass the first check and fail the second: \u0000 (Postgres
// text has no NUL) and an unpaired surrogate such as \ud800. Stored, either would break every later
// read of its stream. A surrogate pair written as two escapes (\ud83d\ude00, as Python's json.dumps
// writes every emoji) is fine: only a high surrogate with no low one after it, or a low one with no
// high one before it, is unpaired.

// Each escape is preceded by an even number of backslashes (an odd number makes it literal text).
const EVEN = String.raw`(?<!\\)(?:\\\\)*`;
const HIGH = String.raw`\\u[dD][89abAB][0-9a-fA-F]{2}`;
const LOW = String.raw`\\u[dD][c-fC-F][0-9a-fA-F]{2}`;
const UNREADABLE = `(${EVEN})(\\\\u0000|${HIGH}(?!${LOW})|(?<!${HIGH})${LOW})`;
const UNREADABLE_ONE = new RegExp(UNREADABLE);
const UNREADABLE_ALL = new RegExp(UNREADABLE, 'g');

/** True when `json` (JSON text) holds text Postgres could store but not read back. */
export function hasUnreadableText(json: string): boolean {
  return UNREADABLE_ONE.test(json);
}

/**
 * `json` with each such escape replaced by U+FFFD (the replacement character), for text we must not
 * refuse: a Tavus callback is never sent again, so one odd character must not lose the conversation.
 */
export function replaceUnreadableText(json: string): string {
  return json.replace(UNREADABLE_ALL, (_match, backslashes: string) => `${backslashes}\\ufffd`);
}

/** Refused like a Postgres data exception (class 22), so callers treat it as one bad value. */
export class UnreadableTextError extends Error {
  override name = 'UnreadableTextError';
  readonly code = '22P05';
}
