import type pg from 'pg';

// Readers waiting for feedback (GET /conversations/:id/feedback/stream, on any instance) LISTEN here.
// The runner announces once per committed batch which conversations' feedback it changed; a switch
// of the live build announces that every conversation's may have changed.

export const FEEDBACK_CHANNEL = 'tavus_feedback_feedback';

/** Every conversation: a build switch, or more ids than one notification can carry. */
export const ALL = '*';

// Postgres refuses a payload of 8,000 bytes or more; past this many ids, "all" says it in one byte,
// and listeners check the (bounded) set of conversations they watch.
const MAX_PAYLOAD = 7_900;

export function encodeChanged(conversationIds: string[] | typeof ALL): string {
  if (conversationIds === ALL) return ALL;
  const payload = conversationIds.join(',');
  return payload.length > MAX_PAYLOAD ? ALL : payload;
}

/** The conversations a notification names, or ALL. */
export function decodeChanged(payload: string): string[] | typeof ALL {
  return payload === ALL ? ALL : payload.split(',').filter((id) => id !== '');
}

/** Sent after the commit, in a statement of its own (see notifyAppended.ts for why not inside it). */
export async function announceFeedbackChanged(db: pg.Pool | pg.PoolClient, conversationIds: string[] | typeof ALL): Promise<void> {
  if (conversationIds !== ALL && conversationIds.length === 0) return;
  await db.query('SELECT pg_notify($1, $2)', [FEEDBACK_CHANNEL, encodeChanged(conversationIds)]);
}
