import type pg from 'pg';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { EventHead } from '../../events/types.js';
import { park, unpark } from './deadLetters.js';
import type { Applied, Projection } from './projection.js';

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

type Attempt = { error: null; changed: string[] } | { error: Error };

async function attempt(client: pg.PoolClient, fn: () => Promise<Applied | void>): Promise<Attempt> {
  await client.query('SAVEPOINT projection_apply');
  try {
    const applied = await fn();
    await client.query('RELEASE SAVEPOINT projection_apply');
    return { error: null, changed: applied?.feedbackChanged ?? [] };
  } catch (err) {
    // The database itself failing is nobody's data: the whole batch rolls back and is tried again.
    if (isDatabaseUnavailable(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT projection_apply');
    return { error: err instanceof Error ? err : new Error(String(err)) };
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

/** Applies `events`, parking the streams that fail; answers what it parked and whose feedback it changed. */
export async function applyIsolated(
  client: pg.PoolClient,
  projection: Projection,
  events: EventHead[],
): Promise<{ parked: Parked[]; feedbackChanged: string[] }> {
  const whole = await attempt(client, () => projection.apply(client, events));
  if (whole.error === null) return { parked: [], feedbackChanged: whole.changed };
  const parked: Parked[] = [];
  const feedbackChanged: string[] = [];
  for (const [streamId, streamEvents] of byStream(events)) {
    const one = await attempt(client, () => projection.apply(client, streamEvents));
    if (one.error === null) {
      feedbackChanged.push(...one.changed);
      continue;
    }
    await park(client, projection.name, streamId, one.error.message, streamEvents[0]!.position);
    parked.push({ projection: projection.name, streamId, error: one.error });
  }
  return { parked, feedbackChanged };
}

/** Applies a parked stream again: unparked when it goes in, parked again (one more attempt) when not. */
export async function retryParked(
  client: pg.PoolClient,
  projection: Projection,
  streamId: string,
): Promise<{ error: Error | null; feedbackChanged: string[] }> {
  const { rows } = await client.query<{ position: string; transaction_id: string; stream_id: string; type: string }>(
    'SELECT position, transaction_id, stream_id, type FROM events WHERE stream_id = $1 ORDER BY transaction_id DESC, position DESC LIMIT 1',
    [streamId],
  );
  const head = rows[0] && { position: rows[0].position, transactionId: rows[0].transaction_id, streamId: rows[0].stream_id, type: rows[0].type };
  const result: Attempt = head ? await attempt(client, () => projection.apply(client, [head])) : { error: null, changed: [] };
  if (result.error === null) {
    await unpark(client, projection.name, streamId);
    return { error: null, feedbackChanged: result.changed };
  }
  await park(client, projection.name, streamId, result.error.message, head!.position);
  return { error: result.error, feedbackChanged: [] };
}
