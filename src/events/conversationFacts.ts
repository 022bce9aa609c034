import { instantMs } from '../instants.js';
import type { EventData, EventMetadata } from './types.js';

// What we know about a conversation's facts, whatever brought them: the rules that make folding a
// stream independent of the order and the number of times its facts arrived. The commands' state and
// the read models both fold with these.

/** Shutdown reasons that mean the conversation never really happened or broke. */
const FAILURE_REASON = /exception|error|fail|never[ _-]?joined|not[ _-]joined/i;

export function outcomeOfReason(reason: string | null | undefined): 'completed' | 'failed' {
  return reason && FAILURE_REASON.test(reason) ? 'failed' : 'completed';
}

/** One end reported as failed makes the conversation failed, whatever else reported it completed. */
export function statusOf(ends: Pick<EventData<'ConversationEnded'>, 'outcome'>[]): 'active' | 'completed' | 'failed' {
  if (ends.length === 0) return 'active';
  return ends.some((e) => e.outcome === 'failed') ? 'failed' : 'completed';
}

/**
 * The earliest of several instants, compared as instants, as an ISO string. Values that are not an
 * instant we accept (old events may hold any) are left out rather than fail a projection.
 */
export function earliestInstant(values: unknown[]): string | null {
  let best = Infinity;
  for (const v of values) {
    const ms = instantMs(v);
    if (ms !== null && ms < best) best = ms;
  }
  return best === Infinity ? null : new Date(best).toISOString();
}

/** With several transcripts, the fullest; ties go to the smallest key, so the choice ignores order. */
export function fullestTranscript<T extends { turnCount: number; key: string }>(transcripts: T[]): T | null {
  let best: T | null = null;
  for (const t of transcripts) {
    if (!best || t.turnCount > best.turnCount || (t.turnCount === best.turnCount && t.key < best.key)) best = t;
  }
  return best;
}

/**
 * A fact counts for a conversation when it came through that conversation's own callback token, or
 * through no token at all (our own API, reconciliation, or callbacks in WEBHOOK_AUTH=none mode).
 */
export function isTrusted(metadata: Pick<EventMetadata, 'tokenConversationId'>, conversationId: string): boolean {
  return metadata.tokenConversationId === undefined || metadata.tokenConversationId === conversationId;
}
