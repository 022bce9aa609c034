import type pg from 'pg';

/**
 * The last position appended, as text ('0' for an empty history): what followers of the history
 * poll to see whether there is anything new. Positions grow with every commit, so a change means
 * new events; the primary key answers it from one index page.
 */
export async function readHistoryHead(db: pg.Pool | pg.PoolClient): Promise<string> {
  const { rows } = await db.query<{ head: string }>('SELECT coalesce(max(position), 0)::text AS head FROM events');
  return rows[0]!.head;
}
