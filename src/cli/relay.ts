import type pg from 'pg';
import { isAfter, START, type Checkpoint } from '../events/readAll.js';
import { readLeaseHolder } from '../reactors/leaseRows.js';
import { readRelayCheckpoint, setRelayCheckpoint } from '../reactors/relay/checkpoint.js';
import { readRelayLag } from '../reactors/relay/lag.js';
import { RELAY_LEASE } from '../reactors/relay/startRelay.js';
import { UsageError } from './usage.js';

// `tavus-feedback relay status` and `relay reset --from <position>`: what an operator needs to see
// and steer the outbox relay to KurrentDB, wherever it runs.

export async function relayStatus(pool: pg.Pool, print: (line: string) => void): Promise<void> {
  const checkpoint = await readRelayCheckpoint(pool);
  const lag = await readRelayLag(pool);
  const holder = await readLeaseHolder(pool, RELAY_LEASE);
  print(
    `checkpoint   ${checkpoint.updatedAt ? `position ${checkpoint.position} (transaction ${checkpoint.transactionId}), moved ${checkpoint.updatedAt.toISOString()}` : 'none: the relay has not published anything yet'}`,
  );
  print(`lag          ${lag.events} events, oldest ${lag.seconds.toFixed(1)} s old`);
  print(
    `running in   ${!holder ? 'no instance (KURRENTDB_URL unset, or no service running)' : holder.expired ? `no instance: ${holder.owner} held it until ${holder.expiresAt.toISOString()}` : `${holder.owner} (since ${holder.acquiredAt.toISOString()})`}`,
  );
}

/** `from`: an events.position, or 0 for the whole history. */
export async function relayReset(pool: pg.Pool, from: string, print: (line: string) => void): Promise<void> {
  let to: Checkpoint = START;
  if (from !== '0') {
    const { rows } = await pool.query<{ transaction_id: string }>('SELECT transaction_id FROM events WHERE position = $1', [from]);
    if (!rows[0]) throw new UsageError(`no event at position ${from}; positions are events.position (0 publishes the whole history again)`);
    // Just before that event in commit order, so that it is the first the relay publishes.
    to = { transactionId: rows[0].transaction_id, position: (BigInt(from) - 1n).toString() };
  }
  const was = await readRelayCheckpoint(pool);
  await setRelayCheckpoint(pool, to);
  const lag = await readRelayLag(pool);
  print(
    `relay checkpoint moved from position ${was.position} to just before ${from === '0' ? 'the first event' : `position ${from}`}; ${lag.events} events to publish`,
  );
  if (isAfter(to, was)) print('warning: that is ahead of where the relay was; the events in between will never be published');
  else print('events already in KurrentDB are recognised by their ids and not appended again');
}
