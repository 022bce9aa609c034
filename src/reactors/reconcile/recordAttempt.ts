import type pg from 'pg';

export type AttemptResult = 'complete' | 'active' | 'incomplete' | 'unknown' | 'failed';

export interface Attempt {
  streamId: string;
  at: Date;
  result: AttemptResult;
  /** When to ask again; null: never (complete, or unknown to Tavus). */
  nextAttemptAt: Date | null;
  error: string | null;
  recoveredEvents: number;
}

// The backoff counts consecutive answers that left the conversation incomplete; completing resets it.
const SQL = `
UPDATE reconcile_conversations
   SET attempts = CASE WHEN $3 = 'complete' THEN 0 ELSE attempts + 1 END,
       last_attempt_at = $2,
       next_attempt_at = $4,
       last_result = $3,
       last_error = $5,
       recovered_events = recovered_events + $6,
       updated_at = now()
 WHERE stream_id = $1`;

export async function recordAttempt(db: pg.Pool, attempt: Attempt): Promise<void> {
  await db.query(SQL, [
    attempt.streamId,
    attempt.at.toISOString(),
    attempt.result,
    attempt.nextAttemptAt?.toISOString() ?? null,
    attempt.error,
    attempt.recoveredEvents,
  ]);
}
