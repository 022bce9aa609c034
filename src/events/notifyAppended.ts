import type pg from 'pg';

/** Projection runners LISTEN here, so fresh events are applied without waiting for a poll. */
export const EVENTS_CHANNEL = 'tavus_feedback_events';

/**
 * Wakes every listening runner, in any process. Sent after the append has committed, in a statement
 * of its own: a NOTIFY inside the appending transaction would hold a database-wide lock across that
 * transaction's WAL flush and so serialise all appends.
 */
export async function notifyAppended(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']);
}
