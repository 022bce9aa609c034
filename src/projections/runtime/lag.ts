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

/**
 * The columns `events` and `seconds` of a reader whose checkpoint is `${at}.transaction_id` and
 * `${at}.position`. Both use events_commit_order: counting and finding the oldest pending event are
 * range scans that start at the checkpoint, so a reader that keeps up costs next to nothing.
 */
export function lagColumns(at: string): string {
  const pending = `(e.transaction_id, e.position) > (${at}.transaction_id, ${at}.position)`;
  return `(SELECT count(*) FROM (SELECT 1 FROM events e WHERE ${pending} LIMIT ${LAG_COUNT_CAP}) pending)::int AS events,
       COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - (
          SELECT e.recorded_at FROM events e WHERE ${pending} ORDER BY e.transaction_id, e.position LIMIT 1
        )), 0)::float8 AS seconds`;
}

const SQL = `
WITH readers AS (
  SELECT name, transaction_id, position FROM projection_checkpoints
   WHERE name = 'conversations' OR name = 'feedback:' || (SELECT analyzer FROM feedback_live)
)
SELECT r.name, ${lagColumns('r')}
  FROM readers r
 ORDER BY r.name`;

export async function readLag(db: pg.Pool | pg.PoolClient): Promise<Lag[]> {
  const { rows } = await db.query<{ name: string; events: number; seconds: number }>(SQL);
  return rows.map((r) => ({ name: r.name, events: r.events, seconds: Math.max(0, r.seconds) }));
}

// Every reader of all events that keeps a checkpoint: each projection (live or being built), the
// relay, reconciliation's catch-up. Readers never wait on a transaction, so a lag that grows means
// the reader itself is slow or stopped.
const READERS_SQL = `
WITH readers AS (
  SELECT 'projection:' || name AS name, transaction_id, position FROM projection_checkpoints
  UNION ALL SELECT 'relay:' || name, transaction_id, position FROM relay_checkpoints
  UNION ALL SELECT 'reconcile', transaction_id, position FROM reconcile_checkpoint
)
SELECT r.name, ${lagColumns('r')}
  FROM readers r
 ORDER BY r.name`;

export async function readReaderLags(db: pg.Pool | pg.PoolClient): Promise<Lag[]> {
  const { rows } = await db.query<{ name: string; events: number; seconds: number }>(READERS_SQL);
  return rows.map((r) => ({ name: r.name, events: r.events, seconds: Math.max(0, r.seconds) }));
}
