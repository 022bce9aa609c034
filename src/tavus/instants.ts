import { z } from 'zod';
import { MAX_DURATION_SECONDS, toIsoInstant } from '../instants.js';

// Instants and durations as callback fields: parsed by the one rule in src/instants.ts, or a 400
// naming the field.

/** A callback field holding an instant: parsed into its ISO form, or a 400 naming the field. */
export const instant = z.union([z.string(), z.number()], { error: 'must be an ISO-8601 timestamp with a zone, or epoch seconds' }).transform((value, ctx) => {
  const iso = toIsoInstant(value);
  if (iso === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an ISO-8601 timestamp with a zone (Z or +hh:mm), or epoch seconds or milliseconds, between 2000 and 2100',
    });
    return z.NEVER;
  }
  return iso;
});

export const durationSeconds = z
  .number({ error: 'must be a number of seconds' })
  .finite()
  .min(0, 'must not be negative')
  .max(MAX_DURATION_SECONDS, `must be at most ${MAX_DURATION_SECONDS} seconds`);
