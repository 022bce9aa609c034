import type pg from 'pg';
import type { Logger } from 'pino';
import type { Checkpoint } from '../../events/readAll.js';
import { park, readParked, unpark } from '../../projections/runtime/deadLetters.js';
import type { StreamStore } from './kurrentStreams.js';
import { publishStream, StreamRefusedError } from './publishStream.js';
import { readRelayEvents } from './readRelayEvents.js';

// Streams KurrentDB refused for good (an event over its MaxAppendSize, another writer) are parked
// in `dead_letters` as the projections park theirs, under `relay:kurrentdb`: the relay passes over
// their events, later ones included, so every other stream keeps flowing and a parked stream's
// order in KurrentDB is kept. `tavus-feedback deadletters retry` (or the console) asks for it again
// once an operator has acted; the relay then publishes the stream's events up to where it stands,
// comparing by id what KurrentDB already holds, and lets the stream flow again.

export const RELAY_DEAD_LETTERS = 'relay:kurrentdb';

const STREAM_UP_TO = `
SELECT position FROM events
 WHERE stream_id = $1 AND (transaction_id, position) <= ($2::xid8, $3::bigint)
 ORDER BY transaction_id, position`;

export interface HeldBack {
  /** Streams whose events the relay passes over for now. */
  parked: Set<string>;
  /** Parked streams an operator asked to publish again. */
  retries: string[];
}

export async function heldBack(db: pg.Pool, streamIds: string[]): Promise<HeldBack> {
  const { parked, retries } = await readParked(db, [RELAY_DEAD_LETTERS], streamIds);
  return { parked: new Set([...parked].map((key) => key.slice(RELAY_DEAD_LETTERS.length + 1))), retries: retries.map((r) => r.streamId) };
}

export async function parkStream(db: pg.Pool, streamId: string, refusal: StreamRefusedError, log: Logger): Promise<void> {
  await park(db, RELAY_DEAD_LETTERS, streamId, refusal.message, refusal.position);
  log.warn({ streamId, position: refusal.position, err: refusal }, 'relay: KurrentDB refused a stream; parked it, the others go on');
}

/**
 * Publishes a parked stream's events committed up to `upTo` (the relay's checkpoint; later ones come
 * in its next batches). The number of events sent when the stream flows again; null when it was
 * refused again and stays parked. Anything that may pass (KurrentDB unreachable) is thrown, and the
 * retry stays asked for.
 */
export async function retryParked(db: pg.Pool, store: StreamStore, streamId: string, upTo: Checkpoint, log: Logger): Promise<number | null> {
  const { rows } = await db.query<{ position: string }>(STREAM_UP_TO, [streamId, upTo.transactionId, upTo.position]);
  const events = await readRelayEvents(
    db,
    rows.map((r) => r.position),
  );
  try {
    await publishStream(store, events);
  } catch (err) {
    if (!(err instanceof StreamRefusedError)) throw err;
    await parkStream(db, streamId, err, log);
    return null;
  }
  await unpark(db, RELAY_DEAD_LETTERS, streamId);
  log.info({ streamId, events: events.length }, 'relay: parked stream published after a retry');
  return events.length;
}
