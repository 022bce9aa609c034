import type pg from 'pg';
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
