import type pg from 'pg';
import type { Checkpoint } from '../../events/readAll.js';

/**
 * The last event in commit order among those committed now, whether or not a reader of all events
 * may pass it yet (an older transaction still running keeps it back): what "everything committed so
 * far" means for a drain.
 */
export async function lastCommitted(db: pg.Pool | pg.PoolClient): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<{ transaction_id: string; position: string }>(
    'SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
  );
  return rows[0] && { transactionId: rows[0].transaction_id, position: rows[0].position };
}
