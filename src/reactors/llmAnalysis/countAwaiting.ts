import type pg from 'pg';
import { LLM_REACTOR } from './awaitingAnswers.js';

// How much of the history still lacks an llm@1 answer, for a rebuild's progress and its dry run:
// `waiting` would be asked now; `parked` are set aside (failed for this very transcript) until they
// are due again or an operator asks.
const SQL = `
SELECT count(*) FILTER (WHERE NOT parked)::int AS waiting, count(*) FILTER (WHERE parked)::int AS parked
  FROM (
    SELECT d.stream_id IS NOT NULL AND d.failed_position = i.transcript_position AND NOT d.retry_requested
           AND (d.retry_at IS NULL OR d.retry_at > now()) AS parked
      FROM feedback_inputs i
      JOIN events t ON t.position = i.transcript_position
      LEFT JOIN dead_letters d ON d.projection = $1 AND d.stream_id = t.stream_id
     WHERE i.user_present AND NOT (i.recorded_analyzers @> '{llm@1}')
  ) awaiting`;

export async function countAwaiting(db: pg.Pool | pg.PoolClient): Promise<{ waiting: number; parked: number }> {
  const { rows } = await db.query<{ waiting: number; parked: number }>(SQL, [LLM_REACTOR]);
  return rows[0]!;
}
