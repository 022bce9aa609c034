import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';

// Transcripts llm@1 has no answer for yet: what the reactor, and a rebuild of llm@1, ask about.
// The state of the read models says what is missing, not a queue of our own, so nothing can be
// lost: a call that failed, a process that died mid-call, an endpoint down for a day all leave the
// transcript here until its answer is in the history.

/** Where a reactor parks transcripts it could not get an answer for (dead_letters.projection). */
export const LLM_REACTOR = `reactor:${LLM_ANALYZER_ID}`;

export interface AwaitingAnswer {
  conversation_id: string;
  stream_id: string;
  transcript_position: string;
  /** The TranscriptReceived event's idempotency key: what the answer is recorded against. */
  transcript_key: string;
  /** The talk, as JSON text (feedback_inputs holds it in the clear). */
  transcript: string;
  context: string;
  /** Set when this transcript was parked before (and is now due again, or asked for). */
  parked_attempts: number | null;
}

// The first condition is the partial index's predicate word for word (migration 0013), so pages are
// index range scans whatever the history's size. A transcript answered a moment ago, whose answer
// the conversations projection has not folded in yet, is still here: see answeredAlready.ts.
const SQL = `
SELECT i.conversation_id, t.stream_id, t.position AS transcript_position, t.idempotency_key AS transcript_key,
       i.transcript::text AS transcript, i.context::text AS context, d.attempts AS parked_attempts
  FROM feedback_inputs i
  JOIN events t ON t.position = i.transcript_position
  LEFT JOIN dead_letters d ON d.projection = $1 AND d.stream_id = t.stream_id
 WHERE i.user_present AND NOT (i.recorded_analyzers @> '{llm@1}')
   AND i.transcript_position > $2::bigint
   AND NOT (i.transcript_position = ANY($3::bigint[]))
   AND (d.stream_id IS NULL OR d.failed_position <> i.transcript_position OR d.retry_requested OR d.retry_at <= now())
 ORDER BY i.transcript_position
 LIMIT $4`;

export async function readAwaitingAnswers(
  db: pg.Pool | pg.PoolClient,
  /** Pages by transcript position, oldest first; `exclude`: positions not to read (being asked about, backing off). */
  options: { after?: string; exclude?: readonly string[]; limit: number },
): Promise<AwaitingAnswer[]> {
  const { rows } = await db.query<AwaitingAnswer>(SQL, [LLM_REACTOR, options.after ?? '0', options.exclude ?? [], options.limit]);
  return rows;
}
