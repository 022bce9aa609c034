import type pg from 'pg';
import { START, type Checkpoint } from '../../events/readAll.js';

/** The relay's row in relay_checkpoints (one relay today: to KurrentDB). */
export const RELAY_NAME = 'kurrentdb';

export interface RelayCheckpoint extends Checkpoint {
  updatedAt: Date | undefined;
}

export async function readRelayCheckpoint(db: pg.Pool | pg.PoolClient, name = RELAY_NAME): Promise<RelayCheckpoint> {
  const { rows } = await db.query<{ transaction_id: string; position: string; updated_at: Date }>(
    'SELECT transaction_id, position, updated_at FROM relay_checkpoints WHERE name = $1',
    [name],
  );
  const row = rows[0];
  // No row yet: the relay has never run, so the whole history is still to publish.
  return row ? { transactionId: row.transaction_id, position: row.position, updatedAt: row.updated_at } : { ...START, updatedAt: undefined };
}

/**
 * Moves the checkpoint from `from` to `to` only if it is still at `from`: a relay that lost its lease
 * mid-batch, or an operator's reset meanwhile, is never overwritten. False when it had moved.
 * Not a lock held across the batch: a row lock would give the relay a transaction id for as long as
 * KurrentDB takes to answer, and every reader of all events (the projections) waits below it.
 */
export async function moveRelayCheckpoint(db: pg.Pool | pg.PoolClient, from: Checkpoint, to: Checkpoint, name = RELAY_NAME): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO relay_checkpoints AS c (name, transaction_id, position, updated_at)
     VALUES ($1, $4::xid8, $5, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()
      WHERE c.transaction_id = $2::xid8 AND c.position = $3::bigint`,
    [name, from.transactionId, from.position, to.transactionId, to.position],
  );
  return rowCount === 1;
}

/** Sets the checkpoint whatever it was (operators: `relay reset`). */
export async function setRelayCheckpoint(db: pg.Pool | pg.PoolClient, to: Checkpoint, name = RELAY_NAME): Promise<void> {
  await db.query(
    `INSERT INTO relay_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::xid8, $3, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
    [name, to.transactionId, to.position],
  );
}
