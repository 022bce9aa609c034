// Tavus writes instants as ISO-8601 (often with microseconds) or as epoch seconds, sometimes as a
// float, in the same field. We take them strictly: an ISO-8601 date-time with a zone (Z or an
// offset), or a number of epoch seconds or milliseconds, between 2000 and 2100, and turn every form
// into one ISO string, so instants are compared as instants and every read model can store them.

const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
/** Below this a number is seconds, at or above it milliseconds (1e11 s is the year 5138). */
const MILLISECONDS_FROM = 1e11;

const COMMON_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds since the epoch, or null when `value` is not an instant we accept. */
export function instantMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    ms = value >= MILLISECONDS_FROM ? value : value * 1000;
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (!ISO_WITH_ZONE.test(s)) return null;
    // Date.parse takes the common form (…T…, milliseconds, Z or ±hh:mm) as it is; only other forms
    // are rewritten first, as this runs for every turn of every transcript.
    ms = Date.parse(
      COMMON_ISO.test(s)
        ? s
        : s
            .replace(/(\.\d{3})\d+/, '$1')
            .replace(' ', 'T')
            .replace(/([+-]\d{2})(\d{2})$/, '$1:$2'),
    );
  } else {
    return null;
  }
  return Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? Math.round(ms) : null;
}

export function toIsoInstant(value: unknown): string | null {
  const ms = instantMs(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** Seconds of a call or recording: what the read models hold (a 31-day ceiling is far past any call). */
export const MAX_DURATION_SECONDS = 31 * 86400;

/** A duration the read models can hold, or null: old events are clamped to sense, never fail a projection. */
export function saneDuration(seconds: unknown): number | null {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_DURATION_SECONDS ? seconds : null;
}
