import type pg from 'pg';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { EventHead } from '../../events/types.js';
import { park, unpark } from './deadLetters.js';
import type { Projection } from './projection.js';

// One conversation a projection cannot apply must not stall the others. A batch is applied whole
// inside a savepoint (the common case costs two statements); when it fails, it is applied again one
// stream at a time, and the streams that still fail are parked with their error. Projections fold a
// stream from all its events, so one head is enough to apply a stream again, and a stream retried
// after a fix ends as if it had never failed.

export interface Parked {
  projection: string;
  streamId: string;
  error: Error;
}

async function attempt(client: pg.PoolClient, fn: () => Promise<void>): Promise<Error | null> {
  await client.query('SAVEPOINT projection_apply');
  try {
    await fn();
    await client.query('RELEASE SAVEPOINT projection_apply');
    return null;
  } catch (err) {
    // The database itself failing is nobody's data: the whole batch rolls back and is tried again.
    if (isDatabaseUnavailable(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT projection_apply');
    return err instanceof Error ? err : new Error(String(err));
  }
}

function byStream(events: EventHead[]): Map<string, EventHead[]> {
  const streams = new Map<string, EventHead[]>();
  for (const e of events) {
    const list = streams.get(e.streamId);
    if (list) list.push(e);
    else streams.set(e.streamId, [e]);
  }
  return streams;
}

/** Applies `events`, parking the streams that fail; answers what it parked. */
export async function applyIsolated(client: pg.PoolClient, projection: Projection, events: EventHead[]): Promise<Parked[]> {
  if ((await attempt(client, () => projection.apply(client, events))) === null) return [];
  const parked: Parked[] = [];
  for (const [streamId, streamEvents] of byStream(events)) {
    const error = await attempt(client, () => projection.apply(client, streamEvents));
    if (error === null) continue;
    await park(client, projection.name, streamId, error.message, streamEvents[0]!.position);
    parked.push({ projection: projection.name, streamId, error });
  }
  return parked;
}

/** Applies a parked stream again: unparked when it goes in, parked again (one more attempt) when not. */
export async function retryParked(client: pg.PoolClient, projection: Projection, streamId: string): Promise<Error | null> {
  const { rows } = await client.query<{ position: string; transaction_id: string; stream_id: string; type: string }>(
    'SELECT position, transaction_id, stream_id, type FROM events WHERE stream_id = $1 ORDER BY position DESC LIMIT 1',
    [streamId],
  );
  const head = rows[0] && { position: rows[0].position, transactionId: rows[0].transaction_id, streamId: rows[0].stream_id, type: rows[0].type };
  const error = head ? await attempt(client, () => projection.apply(client, [head])) : null;
  if (error === null) await unpark(client, projection.name, streamId);
  else await park(client, projection.name, streamId, error.message, head!.position);
  return error;
}
