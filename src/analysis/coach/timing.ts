import type { Turn } from '../types.js';

// Tavus transcripts carry time as ISO-8601 strings, epoch seconds (sometimes milliseconds), a
// `secondsFromStart` offset, or nothing. Only differences matter here, so every form becomes
// seconds on its own axis; a turn without a usable time simply has none.

/** Seconds since the epoch or since the start, or null. Pure: never reads the clock. */
export function secondsOf(turn: Turn): number | null {
  const offset = (turn as { secondsFromStart?: unknown }).secondsFromStart;
  if (typeof offset === 'number' && Number.isFinite(offset)) return offset;
  const t = (turn as { timestamp?: unknown }).timestamp;
  if (typeof t === 'number' && Number.isFinite(t)) return t > 1e11 ? t / 1000 : t;
  if (typeof t === 'string' && t.length > 0 && t.length < 64) {
    const numeric = Number(t);
    if (Number.isFinite(numeric)) return numeric > 1e11 ? numeric / 1000 : numeric;
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  return null;
}

/** Median of a list, or null when empty. Sorts a copy. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
