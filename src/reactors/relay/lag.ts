import type pg from 'pg';
import { lagColumns } from '../../projections/runtime/lag.js';
import { RELAY_NAME } from './checkpoint.js';

// How far the relay is behind, read from Postgres so that any instance can answer it, whichever
// holds the relay's lease: events committed after its checkpoint and the age of the oldest, read as
// the projections' lag is (counted up to the same cap, so a relay switched on over a long history
// does not make every scrape count all of it).

export interface RelayLag {
  events: number;
  seconds: number;
}

const SQL = `
WITH c AS (
  SELECT coalesce((SELECT transaction_id FROM relay_checkpoints WHERE name = $1), '0'::xid8) AS transaction_id,
         coalesce((SELECT position FROM relay_checkpoints WHERE name = $1), 0) AS position
)
SELECT ${lagColumns('c')}
  FROM c`;

export async function readRelayLag(db: pg.Pool | pg.PoolClient, name = RELAY_NAME): Promise<RelayLag> {
  const { rows } = await db.query<{ events: number; seconds: number }>(SQL, [name]);
  return { events: rows[0]!.events, seconds: Math.max(0, rows[0]!.seconds) };
}
