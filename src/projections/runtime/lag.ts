import type pg from 'pg';

// How far the live read models trail the history, read at scrape time:
// the events past each checkpoint, and how long the oldest of them has waited since it was recorded.

export interface Lag {
  /** A live projection's checkpoint name: `conversations`, `feedback:<live analyzer>`. */
  name: string;
  events: number;
  seconds: number;
}

/**
 * A far-behind checkpoint (a restored backup, a rebuild in progress) must not turn a scrape into a
 * count of millions of rows: the count stops here, which still says "very far behind".
 */
export const LAG_COUNT_CAP = 1_000_000;

// Both sides use events_commit_order: counting and finding the oldest pending event are range scans
// that start at the checkpoint, so a caught-up read model costs next to nothing.
const SQL = `
WITH readers AS (
  SELECT name, transaction_id, position FROM projection_checkpoints
   WHERE name = 'conversations' OR name = 'feedback:' || (SELECT analyzer FROM feedback_live)
)
SELECT r.name,
       (SELECT count(*) FROM (
          SELECT 1 FROM events e WHERE (e.transaction_id, e.position) > (r.transaction_id, r.position) LIMIT ${LAG_COUNT_CAP}
        ) pending)::int AS events,
       COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - (
          SELECT e.recorded_at FROM events e WHERE (e.transaction_id, e.position) > (r.transaction_id, r.position)
           ORDER BY e.transaction_id, e.position LIMIT 1
        )), 0)::float8 AS seconds
  FROM readers r
 ORDER BY r.name`;

export async function readLag(db: pg.Pool | pg.PoolClient): Promise<Lag[]> {
  const { rows } = await db.query<{ name: string; events: number; seconds: number }>(SQL);
  return rows.map((r) => ({ name: r.name, events: r.events, seconds: Math.max(0, r.seconds) }));
}
