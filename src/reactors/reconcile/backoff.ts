// How long to wait before asking Tavus about a conversation again: a minute after the first answer
// that left it incomplete, doubling with each further one, at most six hours (four a day for one
// that never completes, until it is older than RECONCILE_GIVE_UP_AFTER_S). A Retry-After from
// Tavus is a floor.

export const FIRST_BACKOFF_SECONDS = 60;
export const MAX_BACKOFF_SECONDS = 6 * 3600;

/** `attempts`: answers so far that left it incomplete, this one included (1 after the first). */
export function backoffSeconds(attempts: number, retryAfterSeconds = 0): number {
  const grown = FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, Math.min(attempts - 1, 30));
  return Math.max(Math.min(grown, MAX_BACKOFF_SECONDS), retryAfterSeconds);
}
