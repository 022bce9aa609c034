import type pg from 'pg';
import { RELAY_NAME } from './checkpoint.js';

// How far the relay is behind, read from Postgres so that any instance can answer it, whichever
// holds the relay's lease: events committed after its checkpoint, and the age of the oldest.
// Counting scans the backlog on the commit-order index; cheap when the relay keeps up.

export interface RelayLag {
  events: number;
  seconds: number;
}

const SQL = `
WITH c AS (
  SELECT coalesce((SELECT transaction_id FROM relay_checkpoints WHERE name = $1), '0'::xid8) AS transaction_id,
         coalesce((SELECT position FROM relay_checkpoints WHERE name = $1), 0) AS position
)
SELECT count(*)::bigint AS events,
       coalesce(extract(epoch FROM now() - min(e.recorded_at)), 0)::float8 AS seconds
  FROM events e, c
 WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)`;

export async function readRelayLag(db: pg.Pool | pg.PoolClient, name = RELAY_NAME): Promise<RelayLag> {
  const { rows } = await db.query<{ events: string; seconds: number }>(SQL, [name]);
  return { events: Number(rows[0]!.events), seconds: Math.max(0, rows[0]!.seconds) };
}
