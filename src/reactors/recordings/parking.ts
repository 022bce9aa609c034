import type pg from 'pg';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import { RECORDINGS_REACTOR } from './awaitingCopies.js';

// The reactor's dead letters, in the table the projections park in, so `tavus-feedback deadletters`
// lists and retries them with the others (and `recordings status|retry` reads the same rows). A
// stream is parked against the recording that failed; its other recordings wait with it.

/** Parks with the failure; parking again counts one more attempt. With `retryInMs` it is tried again by itself after that long. */
export async function parkCopy(db: pg.Pool | pg.PoolClient, streamId: string, position: string, error: string, retryInMs: number | null): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (projection, stream_id, error, failed_position, retry_at)
     VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 millisecond')
     ON CONFLICT (projection, stream_id) DO UPDATE SET
       error = excluded.error, failed_position = excluded.failed_position, attempts = dead_letters.attempts + 1,
       last_failed_at = now(), retry_requested = false, retry_at = excluded.retry_at`,
    [RECORDINGS_REACTOR, streamId, error.slice(0, 2_000), position, retryInMs],
  );
}

export async function unparkCopy(db: pg.Pool | pg.PoolClient, streamId: string): Promise<void> {
  await db.query('DELETE FROM dead_letters WHERE projection = $1 AND stream_id = $2', [RECORDINGS_REACTOR, streamId]);
}

export interface ParkedCopy {
  streamId: string;
  error: string;
  attempts: number;
  parkedAt: Date;
  lastFailedAt: Date;
  retryRequested: boolean;
  /** When it is tried again by itself; null: only when asked. */
  retryAt: Date | null;
}

type ParkedRow = {
  stream_id: string;
  error: string;
  attempts: number;
  parked_at: Date;
  last_failed_at: Date;
  retry_requested: boolean;
  retry_at: Date | null;
};

/** Parked copies, oldest first; one stream's when given. */
export async function listParkedCopies(db: pg.Pool | pg.PoolClient, streamId: string | null = null): Promise<ParkedCopy[]> {
  const { rows } = await db.query<ParkedRow>(
    `SELECT stream_id, error, attempts, parked_at, last_failed_at, retry_requested, retry_at FROM dead_letters
      WHERE projection = $1 AND ($2::text IS NULL OR stream_id = $2) ORDER BY parked_at, stream_id`,
    [RECORDINGS_REACTOR, streamId],
  );
  return rows.map((r) => ({
    streamId: r.stream_id,
    error: r.error,
    attempts: r.attempts,
    parkedAt: r.parked_at,
    lastFailedAt: r.last_failed_at,
    retryRequested: r.retry_requested,
    retryAt: r.retry_at,
  }));
}

/** Asks the running reactor to copy these again (all when `streamId` is null) and wakes it; answers how many. */
export async function requestCopyRetry(db: pg.Pool, streamId: string | null): Promise<number> {
  const { rowCount } = await db.query('UPDATE dead_letters SET retry_requested = true WHERE projection = $1 AND ($2::text IS NULL OR stream_id = $2)', [
    RECORDINGS_REACTOR,
    streamId,
  ]);
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']);
  return rowCount ?? 0;
}
