import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';
import { analysisRecordedKey } from '../../commands/recordAnalysis.js';
import type { AwaitingAnswer } from './awaitingAnswers.js';

// Between an answer's append and the conversations projection folding it in, its transcript still
// reads as awaiting. Asking again would append nothing (same idempotency key) but pay for a call,
// so the answers' keys, computed as the append computes them, are looked up first: one probe of
// the unique index each.

export async function withoutAnswered(db: pg.Pool | pg.PoolClient, rows: AwaitingAnswer[]): Promise<AwaitingAnswer[]> {
  if (rows.length === 0) return rows;
  const keys = rows.map((r) => analysisRecordedKey(r.stream_id, LLM_ANALYZER_ID, r.transcript_key));
  const { rows: found } = await db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM events WHERE idempotency_key = ANY($1::text[])', [keys]);
  const answered = new Set(found.map((f) => f.idempotency_key));
  return rows.filter((_, i) => !answered.has(keys[i]!));
}
