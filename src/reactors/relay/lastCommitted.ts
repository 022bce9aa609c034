import type pg from 'pg';
import type { Checkpoint } from '../../events/readAll.js';

/** The last event in the history's order among those committed now: where a drain must get to. */
export async function lastCommitted(db: pg.Pool | pg.PoolClient): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<{ transaction_id: string; position: string }>(
    'SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
  );
  return rows[0] && { transactionId: rows[0].transaction_id, position: rows[0].position };
}
