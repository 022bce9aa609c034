import type pg from 'pg';
import { recordingStoredKey } from '../../commands/recordRecordingStored.js';
import type { Keyring } from '../../privacy/keyring.js';
import { storedIdempotencyKeys } from '../../privacy/sealing.js';

// Recordings not yet in the app's storage: what the recordings reactor copies. The read model says
// what is missing, not a queue of our own, so nothing can be lost: a copy that failed, a process
// that died mid-copy, a store down for a day all leave the row here until its RecordingStored is in
// the history and folded in.

/** Where the reactor parks copies that keep failing (dead_letters.projection). */
export const RECORDINGS_REACTOR = 'reactor:recordings@1';

export interface AwaitingCopy {
  conversation_id: string;
  stream_id: string;
  source_bucket: string;
  source_key: string;
  /** The row's first event: what identifies it here, and where a dead letter points. */
  position: string;
  duration_seconds: number | null;
  /** Set when the stream was parked before (and is now due again, or asked for). */
  parked_attempts: number | null;
}

// The first condition is the partial index's predicate (migration 0020), so pages are index range
// scans whatever the number of recordings kept.
const SQL = `
SELECT r.conversation_id, r.stream_id, r.source_bucket, r.source_key, r.position, r.duration_seconds, d.attempts AS parked_attempts
  FROM recordings r
  LEFT JOIN dead_letters d ON d.projection = $1 AND d.stream_id = r.stream_id
 WHERE r.status = 'copying'
   AND r.position > $2::bigint
   AND NOT (r.position = ANY($3::bigint[]))
   AND (d.stream_id IS NULL OR d.retry_requested OR d.retry_at <= now())
 ORDER BY r.position
 LIMIT $4`;

export async function readAwaitingCopies(
  db: pg.Pool | pg.PoolClient,
  /** Pages by position, oldest first; `exclude`: positions not to read (being copied, backing off). */
  options: { after?: string; exclude?: readonly string[]; limit: number },
): Promise<AwaitingCopy[]> {
  const { rows } = await db.query<AwaitingCopy>(SQL, [RECORDINGS_REACTOR, options.after ?? '0', options.exclude ?? [], options.limit]);
  return rows;
}

/**
 * Between a RecordingStored's append and the projection folding it in, its row still reads as
 * copying. Copying again would append nothing (same idempotency key) but move the whole file twice,
 * so the keys are looked up first: one probe of the unique index each.
 */
export async function withoutStored(db: pg.Pool | pg.PoolClient, keyring: Keyring, rows: AwaitingCopy[]): Promise<AwaitingCopy[]> {
  if (rows.length === 0) return rows;
  const facts = rows.map((r) => ({ streamId: r.stream_id, plainKey: recordingStoredKey(r.stream_id, { bucket: r.source_bucket, key: r.source_key }) }));
  const keys = await storedIdempotencyKeys(db, keyring, facts);
  const { rows: found } = await db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM events WHERE idempotency_key = ANY($1::text[])', [
    keys.filter((k) => k !== null),
  ]);
  const stored = new Set(found.map((f) => f.idempotency_key));
  // An erased conversation's recording is not copied.
  return rows.filter((_, i) => keys[i] !== null && !stored.has(keys[i]!));
}
