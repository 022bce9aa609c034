import type pg from 'pg';
import { testKeyring } from '../support/keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { Listener } from '../../src/db/listener.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { notifyAppended } from '../../src/events/notifyAppended.js';
import { initLiveAnalyzer, liveProjections } from '../../src/projections/runtime/live.js';
import { ProjectionRunner } from '../../src/projections/runtime/runner.js';
import type { Projection } from '../../src/projections/runtime/projection.js';
import { ensureCheckpoints } from '../../src/projections/runtime/checkpoints.js';
import { createTestDatabase } from '../support/db.js';
import { transcribedConversation } from '../support/events.js';

// The runner must neither lose nor double an update: a batch that fails is rolled back with its
// checkpoint, a new runner resumes from the last commit, and two runners never apply one batch twice.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
const CONVERSATIONS = 120;

const conversationEvents = (n: number) => transcribedConversation(`c${n.toString().padStart(5, '0')}`);

/** Logs every event it applies under a primary key: applying one twice fails loudly. */
function appliedLog(failAfter?: { batches: number }): Projection {
  let batches = 0;
  return {
    name: 'test-applied-log',
    async apply(client, events) {
      await client.query('INSERT INTO test_applied_log (position) SELECT unnest($1::bigint[])', [events.map((e) => e.position)]);
      batches++;
      // The connection dying mid-batch (a data error would only park the conversation instead).
      if (failAfter && batches > failAfter.batches) throw Object.assign(new Error('crash in the middle of a batch'), { code: '08006' });
    },
  };
}

function runnerWith(log: Projection, p: pg.Pool = pool, pollIntervalMs = 1_000, listener?: Listener) {
  const live = liveProjections(testKeyring());
  return new ProjectionRunner(p, {
    batchSize: 25,
    pollIntervalMs,
    listener,
    projections: async (client) => {
      await ensureCheckpoints(client, [log.name]);
      return [...(await live(client)), log];
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url);
  await pool.query('CREATE TABLE test_applied_log (position bigint PRIMARY KEY)');
  await initLiveAnalyzer(pool, 'baseline@1');
  for (let i = 0; i < CONVERSATIONS; i += 20) {
    await appendEvents(pool, Array.from({ length: 20 }, (_, k) => conversationEvents(i + k)).flat());
  }
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('projection runner', () => {
  it('resumes after a crash mid-stream without losing or doubling an update', async () => {
    const crashing = runnerWith(appliedLog({ batches: 3 }));
    await expect(crashing.drain()).rejects.toThrow('crash in the middle of a batch');
    // Three batches committed, the fourth rolled back with its checkpoint.
    expect((await pool.query('SELECT count(*)::int AS n FROM test_applied_log')).rows[0].n).toBe(75);
    expect((await pool.query('SELECT count(*)::int AS n FROM conversations')).rows[0].n).toBeLessThan(CONVERSATIONS);

    const resumed = runnerWith(appliedLog());
    await resumed.drain();
    const total = CONVERSATIONS * 2;
    expect((await pool.query('SELECT count(*)::int AS n FROM test_applied_log')).rows[0].n).toBe(total);
    expect((await pool.query('SELECT count(*)::int AS n FROM conversations')).rows[0].n).toBe(CONVERSATIONS);
    expect((await pool.query('SELECT count(*)::int AS n FROM feedback_sessions')).rows[0].n).toBe(CONVERSATIONS);
    const checkpoint = await pool.query("SELECT position FROM projection_checkpoints WHERE name = 'conversations'");
    const last = await pool.query('SELECT max(position) AS p FROM events');
    expect(checkpoint.rows[0].position).toBe(last.rows[0].p);
  });

  it('lets two runners share the work without applying anything twice', async () => {
    await appendEvents(pool, Array.from({ length: 40 }, (_, k) => conversationEvents(1000 + k)).flat());
    const otherPool = createPool(database.url);
    try {
      await Promise.all([runnerWith(appliedLog()).drain(), runnerWith(appliedLog(), otherPool).drain()]);
    } finally {
      await otherPool.end();
    }
    expect((await pool.query('SELECT count(*)::int AS n FROM test_applied_log')).rows[0].n).toBe((CONVERSATIONS + 40) * 2);
    expect((await pool.query('SELECT count(*)::int AS n FROM feedback_sessions')).rows[0].n).toBe(CONVERSATIONS + 40);
  });

  async function appearsWithin(ms: number, streamId: string): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const { rows } = await pool.query('SELECT 1 FROM conversations WHERE conversation_id = $1', [streamId.slice('conversation-'.length)]);
      if (rows[0]) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('wakes on NOTIFY when events are appended', async () => {
    // Polling only every minute: finding the row within seconds means the notification woke it.
    const listener = new Listener(database.url);
    await listener.start();
    const runner = runnerWith(appliedLog(), pool, 60_000, listener);
    await runner.start();
    try {
      await runner.drain();
      const events = conversationEvents(5000);
      await appendEvents(pool, events);
      expect(await appearsWithin(1_500, events[0]!.streamId)).toBe(false);
      await notifyAppended(pool);
      expect(await appearsWithin(5_000, events[0]!.streamId)).toBe(true);
    } finally {
      await runner.stop();
      await listener.stop();
    }
  });

  it('finds new events by polling the head, with no LISTEN at all', async () => {
    const runner = runnerWith(appliedLog(), pool, 200);
    await runner.start();
    try {
      await runner.drain();
      const events = conversationEvents(6000);
      // Appended by someone who tells nobody (another instance behind a transaction pooler, psql).
      await appendEvents(pool, events);
      expect(await appearsWithin(2_000, events[0]!.streamId)).toBe(true);
    } finally {
      await runner.stop();
    }
  });
});
