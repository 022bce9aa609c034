import type pg from 'pg';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';

// Conversations a projection could not apply, parked so the rest goes on (see the runner).

export interface DeadLetter {
  projection: string;
  streamId: string;
  error: string;
  failedPosition: string;
  attempts: number;
  parkedAt: Date;
  lastFailedAt: Date;
  retryRequested: boolean;
}

type Row = {
  projection: string;
  stream_id: string;
  error: string;
  failed_position: string;
  attempts: number;
  parked_at: Date;
  last_failed_at: Date;
  retry_requested: boolean;
};

const toDeadLetter = (r: Row): DeadLetter => ({
  projection: r.projection,
  streamId: r.stream_id,
  error: r.error,
  failedPosition: r.failed_position,
  attempts: r.attempts,
  parkedAt: r.parked_at,
  lastFailedAt: r.last_failed_at,
  retryRequested: r.retry_requested,
});

/** Parks a stream for a projection; parking it again counts one more attempt and keeps the newest error. */
export async function park(client: pg.Pool | pg.PoolClient, projection: string, streamId: string, error: string, position: string): Promise<void> {
  await client.query(
    `INSERT INTO dead_letters (projection, stream_id, error, failed_position) VALUES ($1, $2, $3, $4)
     ON CONFLICT (projection, stream_id) DO UPDATE SET
       error = excluded.error, failed_position = excluded.failed_position, attempts = dead_letters.attempts + 1,
       last_failed_at = now(), retry_requested = false`,
    [projection, streamId, error.slice(0, 2_000), position],
  );
}

export async function unpark(client: pg.Pool | pg.PoolClient, projection: string, streamId: string): Promise<void> {
  await client.query('DELETE FROM dead_letters WHERE projection = $1 AND stream_id = $2', [projection, streamId]);
}

/**
 * For a batch: the streams parked for these projections among `streamIds` (their events are passed
 * over), and every stream an operator asked to retry.
 */
export async function readParked(
  client: pg.Pool | pg.PoolClient,
  projections: string[],
  streamIds: string[],
): Promise<{ parked: Set<string>; retries: { projection: string; streamId: string }[] }> {
  const { rows } = await client.query<{ projection: string; stream_id: string; retry_requested: boolean }>(
    `SELECT projection, stream_id, retry_requested FROM dead_letters
      WHERE projection = ANY($1::text[]) AND (retry_requested OR stream_id = ANY($2::text[]))`,
    [projections, streamIds],
  );
  const parked = new Set<string>();
  const retries: { projection: string; streamId: string }[] = [];
  for (const r of rows) {
    if (r.retry_requested) retries.push({ projection: r.projection, streamId: r.stream_id });
    else parked.add(`${r.projection} ${r.stream_id}`);
  }
  return { parked, retries };
}

export async function listDeadLetters(db: pg.Pool): Promise<DeadLetter[]> {
  const { rows } = await db.query<Row>('SELECT * FROM dead_letters ORDER BY parked_at, projection, stream_id');
  return rows.map(toDeadLetter);
}

/** Parked conversations (streams), whatever the projection. */
export async function countDeadLetters(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT stream_id)::int AS n FROM dead_letters');
  return rows[0]!.n;
}

/** Asks the runner to apply these streams again (all when `streamId` is null); wakes it. */
export async function requestRetry(db: pg.Pool, streamId: string | null): Promise<number> {
  const { rowCount } = await db.query('UPDATE dead_letters SET retry_requested = true WHERE $1::text IS NULL OR stream_id = $1', [streamId]);
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']);
  return rowCount ?? 0;
}
