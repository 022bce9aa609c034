import pg from 'pg';
import { appendEvents } from '../src/events/appendEvents.js';
import type { NewEvent } from '../src/events/types.js';
import { createBenchDatabase } from './support/database.js';
import { practiceTranscript } from './support/fixtures.js';

// The ways of keeping readers gap-safe without the server-wide horizon, measured on the raw append
// (what group commit's batches do: one statement, one commit each), 16 appenders racing for 5 s:
// - none: positions out of commit order (readers would have to wait on a horizon);
// - lock statement: the appender takes the advisory lock in a statement of its own, so the lock is
//   held across two round trips (lock, insert) and the commit;
// - trigger (the design, migration 0016): a statement trigger takes it inside the one insert;
// and what the alternative that keeps the old order would cost every reader's poll: finding the
// oldest transaction holding a lock on `events` in pg_locks.

const APPENDERS = 16;
const SECONDS = 5;
const EVENTS_PER_APPEND = 8;

export interface AppendOrderResult {
  appendsPerSecond: { none: number; lockStatement: number; trigger: number };
  pgLocksHorizonMicros: number;
  database: string;
}

function batch(tag: string): NewEvent[] {
  const turns = practiceTranscript(tag.length);
  return Array.from({ length: EVENTS_PER_APPEND }, (_, i) => ({
    type: 'TranscriptReceived',
    streamId: `conversation-${tag}`,
    idempotencyKey: `${tag}/${i}`,
    data: { turns, systemPromptRemoved: false },
    metadata: { receivedAt: new Date().toISOString(), source: 'api' },
  }));
}

async function race(pool: pg.Pool, label: string, append: (client: pg.PoolClient, events: NewEvent[]) => Promise<void>): Promise<number> {
  let appends = 0;
  let next = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < until) {
          await append(client, batch(`${label}-${next++}`));
          appends++;
        }
      } finally {
        client.release();
      }
    }),
  );
  return appends / SECONDS;
}

const PG_LOCKS_HORIZON = `
SELECT min(a.backend_xid::text::bigint) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'relation' AND l.relation = 'events'::regclass AND l.mode = 'RowExclusiveLock'`;

export async function runAppendOrderBench(): Promise<AppendOrderResult> {
  const database = await createBenchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: APPENDERS + 2 });
  pool.on('error', () => {});
  try {
    await pool.query('ALTER TABLE events DISABLE TRIGGER events_append_in_commit_order');
    const none = await race(pool, 'none', (c, e) => appendEvents(c, e).then(() => {}));
    const lockStatement = await race(pool, 'stmt', async (c, e) => {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock(8387502915206411379)');
      await appendEvents(c, e);
      await c.query('COMMIT');
    });
    await pool.query('ALTER TABLE events ENABLE TRIGGER events_append_in_commit_order');
    const trigger = await race(pool, 'trigger', (c, e) => appendEvents(c, e).then(() => {}));

    const rounds = 2_000;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await pool.query(PG_LOCKS_HORIZON);
    const pgLocksHorizonMicros = ((performance.now() - started) * 1000) / rounds;
    return { appendsPerSecond: { none, lockStatement, trigger }, pgLocksHorizonMicros, database: database.describe };
  } finally {
    await pool.end();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runAppendOrderBench(), null, 2));
}
