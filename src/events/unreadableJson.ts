// Event data is kept as json text, which Postgres checks only loosely on the way in but fully when
// its JSON operators read it. Two escapes JSON.stringify can write pass the first check and fail the
// second: \u0000 (Postgres text has no NUL) and an unpaired surrogate such as \ud800 (JSON.stringify
// writes paired ones as characters, so any surrogate escape in its output is unpaired). Stored, either
// would break every later read of its stream, so they are refused before the append.

// An escape preceded by an even number of backslashes (an odd number would make it literal text).
const UNREADABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

/** True when `json` (JSON.stringify output) holds text Postgres could store but not read back. */
export function hasUnreadableText(json: string): boolean {
  return UNREADABLE_ESCAPE.test(json);
}

/** Refused like a Postgres data exception (class 22), so callers treat it as one bad value. */
export class UnreadableTextError extends Error {
  override name = 'UnreadableTextError';
  readonly code = '22P05';
}
