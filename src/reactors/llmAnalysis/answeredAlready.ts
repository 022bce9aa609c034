import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';
import { analysisRecordedKey } from '../../commands/recordAnalysis.js';
import type { Keyring } from '../../privacy/keyring.js';
import { storedIdempotencyKeys } from '../../privacy/sealing.js';
import type { AwaitingAnswer } from './awaitingAnswers.js';

// Between an answer's append and the conversations projection folding it in, its transcript still
// reads as awaiting. Asking again would append nothing (same idempotency key) but pay for a call,
// so the answers' keys, computed as the append computes them, are looked up first: one probe of
// the unique index each.

export async function withoutAnswered(db: pg.Pool | pg.PoolClient, keyring: Keyring, rows: AwaitingAnswer[]): Promise<AwaitingAnswer[]> {
  if (rows.length === 0) return rows;
  const facts = rows.map((r) => ({ streamId: r.stream_id, plainKey: analysisRecordedKey(r.stream_id, LLM_ANALYZER_ID, r.transcript_key) }));
  const keys = await storedIdempotencyKeys(db, keyring, facts);
  const { rows: found } = await db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM events WHERE idempotency_key = ANY($1::text[])', [
    keys.filter((k) => k !== null),
  ]);
  const answered = new Set(found.map((f) => f.idempotency_key));
  // An erased conversation is not asked about.
  return rows.filter((_, i) => keys[i] !== null && !answered.has(keys[i]!));
}
