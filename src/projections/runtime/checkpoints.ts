import type pg from 'pg';
import type { Checkpoint } from '../../events/readAll.js';

export async function ensureCheckpoints(db: pg.Pool | pg.PoolClient, names: string[]): Promise<void> {
  await db.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [names]);
}

/**
 * Locks the named checkpoints for this transaction, skipping any another runner holds: two runners
 * can never apply the same batch, and the loser simply tries again later. Undefined when any is taken.
 */
export async function lockCheckpoints(client: pg.PoolClient, names: string[]): Promise<Map<string, Checkpoint> | undefined> {
  const result = await client.query<{ name: string; transaction_id: string; position: string }>(
    'SELECT name, transaction_id, position FROM projection_checkpoints WHERE name = ANY($1::text[]) FOR UPDATE SKIP LOCKED',
    [names],
  );
  if (result.rows.length !== names.length) return undefined;
  return new Map(result.rows.map((r) => [r.name, { transactionId: r.transaction_id, position: r.position }]));
}

export async function saveCheckpoints(client: pg.PoolClient, names: string[], to: Checkpoint): Promise<void> {
  await client.query('UPDATE projection_checkpoints SET transaction_id = $2::xid8, position = $3, updated_at = now() WHERE name = ANY($1::text[])', [
    names,
    to.transactionId,
    to.position,
  ]);
}

/**
 * Moves the checkpoints and commits in one round trip: the simple query protocol runs both statements
 * in order and skips the COMMIT if the UPDATE fails. Values go in as escaped literals.
 */
export async function saveCheckpointsAndCommit(client: pg.PoolClient, names: string[], to: Checkpoint): Promise<void> {
  const list = names.map((n) => client.escapeLiteral(n)).join(', ');
  await client.query(
    `UPDATE projection_checkpoints SET transaction_id = ${client.escapeLiteral(to.transactionId)}::xid8, ` +
      `position = ${client.escapeLiteral(to.position)}::bigint, updated_at = now() WHERE name IN (${list}); COMMIT`,
  );
}

export async function readCheckpoint(db: pg.Pool | pg.PoolClient, name: string): Promise<Checkpoint | undefined> {
  const result = await db.query<{ transaction_id: string; position: string }>('SELECT transaction_id, position FROM projection_checkpoints WHERE name = $1', [
    name,
  ]);
  const row = result.rows[0];
  return row && { transactionId: row.transaction_id, position: row.position };
}
