import type pg from 'pg';
import { LAG_COUNT_CAP } from '../../projections/runtime/lag.js';
import { RELAY_NAME } from './checkpoint.js';

// How far the relay is behind, read from Postgres so that any instance can answer it, whichever
// holds the relay's lease: events committed after its checkpoint (counted up to the projections'
// cap, so a relay switched on over a long history does not make every scrape count all of it),
// and the age of the oldest. Both are range scans of the commit-order index from the checkpoint,
// as for the projections' lag.

export interface RelayLag {
  events: number;
  seconds: number;
}

const SQL = `
WITH c AS (
  SELECT coalesce((SELECT transaction_id FROM relay_checkpoints WHERE name = $1), '0'::xid8) AS transaction_id,
         coalesce((SELECT position FROM relay_checkpoints WHERE name = $1), 0) AS position
)
SELECT (SELECT count(*) FROM (
          SELECT 1 FROM events e WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position) LIMIT ${LAG_COUNT_CAP}
        ) pending)::bigint AS events,
       coalesce(extract(epoch FROM clock_timestamp() - (
          SELECT e.recorded_at FROM events e WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)
           ORDER BY e.transaction_id, e.position LIMIT 1
        )), 0)::float8 AS seconds
  FROM c`;

export async function readRelayLag(db: pg.Pool | pg.PoolClient, name = RELAY_NAME): Promise<RelayLag> {
  const { rows } = await db.query<{ events: string; seconds: number }>(SQL, [name]);
  return { events: Number(rows[0]!.events), seconds: Math.max(0, rows[0]!.seconds) };
}
