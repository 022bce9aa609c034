import type { Worker } from 'node:worker_threads';
import { parseKek } from '../../src/privacy/kek.js';
import { TEST_DATA_KEK } from '../support/keys.js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { initLiveAnalyzer } from '../../src/projections/runtime/live.js';
import { ThreadedRunner } from '../../src/projections/runtime/threadedRunner.js';
import { createTestDatabase } from '../support/db.js';
import { transcribedConversation } from '../support/events.js';

// The service's projections in a worker thread: they follow the history by themselves (polling its
// head; woken sooner by NOTIFY or by this process's own appends), a
// thread that dies is started again and resumes from its checkpoints, and stop() ends it.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;

// A deadline, not a speed target: a thread started under tsx on a loaded 2-core machine can take seconds.
async function feedbackFor(tavusId: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query('SELECT 1 FROM feedback_sessions f JOIN conversations c ON c.id = f.conversation_id WHERE c.conversation_id = $1', [
      tavusId,
    ]);
    if (rows.length > 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url);
  await initLiveAnalyzer(pool, 'baseline@1');
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('projections in a worker thread', () => {
  it('follow appended events, survive the thread dying, and stop', async () => {
    const errors: Error[] = [];
    // No LISTEN: the thread finds what others append by polling the head.
    const runner = new ThreadedRunner({ databaseUrl: database.url, pollIntervalMs: 200, keks: [parseKek(TEST_DATA_KEK)] }, (err) => errors.push(err));
    await runner.start();
    try {
      await appendEvents(pool, transcribedConversation('thread-a'));
      expect(await feedbackFor('thread-a')).toBe(true);

      const thread = (runner as unknown as { worker: Worker }).worker;
      await thread.terminate();
      await appendEvents(pool, transcribedConversation('thread-b'));
      // Started again a second later, it catches up from the committed checkpoints.
      expect(await feedbackFor('thread-b')).toBe(true);
      expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/projection thread exited .*starting it again/));

      await appendEvents(pool, transcribedConversation('thread-c'));
      await runner.drain();
      expect(await feedbackFor('thread-c', 0)).toBe(true);
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback_sessions');
      expect(rows[0]!.n).toBe(3);
    } finally {
      await runner.stop();
    }
    await expect(runner.drain()).rejects.toThrow('not running');
  });
});
