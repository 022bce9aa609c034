import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { readAll, START, checkpointOf, type Checkpoint } from '../../src/events/readAll.js';
import type { NewEvent } from '../../src/events/types.js';
import { useTestDatabase } from '../support/db.js';

// Gap-safety without a horizon: however appenders interleave (several pools, transactions that roll
// back, pauses inside an appending transaction before and after it inserts), readers that poll the
// history throughout, each from its own checkpoint, see every committed event exactly once, and all
// in one order. Nothing here waits on the server's oldest transaction: readAll reads past the
// checkpoint, and appenders number events in commit order (migration 0016). Without that ordering a
// reader would pass positions a slow appender fills in later, and this property fails.

const db = useTestDatabase();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Append {
  pool: number;
  events: number;
  pauseBeforeMs: number;
  pauseAfterMs: number;
  rollback: boolean;
}

const appendArb = fc.record({
  pool: fc.integer({ min: 0, max: 3 }),
  events: fc.integer({ min: 1, max: 4 }),
  pauseBeforeMs: fc.integer({ min: 0, max: 15 }),
  pauseAfterMs: fc.integer({ min: 0, max: 15 }),
  rollback: fc.boolean(),
});

let run = 0;

function eventsOf(tag: string, count: number): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'CallbackIgnored',
    streamId: `conversation-order-${tag}`,
    idempotencyKey: `order/${tag}/${i}`,
    data: { eventType: 'test.order', reason: 'unknown event type', properties: { i } },
    metadata: { receivedAt: new Date(0).toISOString(), source: 'api' },
  }));
}

async function appendOne(pool: pg.Pool, append: Append, tag: string): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await sleep(append.pauseBeforeMs);
    const events = eventsOf(tag, append.events);
    await appendEvents(client, events);
    await sleep(append.pauseAfterMs);
    if (append.rollback) {
      await client.query('ROLLBACK');
      return [];
    }
    await client.query('COMMIT');
    return events.map((e) => e.idempotencyKey);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Polls until told to stop, then reads what is left; the idempotency keys it saw, in order. */
async function follow(pool: pg.Pool, prefix: string, stop: () => boolean): Promise<string[]> {
  const seen: string[] = [];
  let at: Checkpoint = START;
  for (;;) {
    const stopping = stop();
    const heads = await readAll(pool, at, 7);
    if (heads.length > 0) {
      at = checkpointOf(heads.at(-1)!);
      const { rows } = await pool.query<{ idempotency_key: string }>(
        'SELECT idempotency_key FROM events WHERE position = ANY($1::bigint[]) ORDER BY transaction_id, position',
        [heads.map((h) => h.position)],
      );
      seen.push(...rows.map((r) => r.idempotency_key).filter((k) => k.startsWith(prefix)));
    } else if (stopping) {
      return seen;
    } else {
      await sleep(1);
    }
  }
}

describe('appending in commit order', () => {
  it('every reader sees every committed event once, in one order, whatever the appenders do', async () => {
    const pools = Array.from({ length: 4 }, () => createPool(db.url, { max: 4 }));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(appendArb, { minLength: 8, maxLength: 24 }), async (appends) => {
          const prefix = `order/r${++run}-`;
          let done = false;
          const readers = Array.from({ length: 3 }, () => follow(db.pool, prefix, () => done));
          // All at once: up to 16 transactions race for the pools' connections.
          const committed = (await Promise.all(appends.map((a, i) => appendOne(pools[a.pool]!, a, `r${run}-${i}`)))).flat();
          done = true;
          const seen = await Promise.all(readers);
          const { rows } = await db.pool.query<{ idempotency_key: string }>(
            'SELECT idempotency_key FROM events WHERE idempotency_key LIKE $1 ORDER BY transaction_id, position',
            [`${prefix}%`],
          );
          const inHistory = rows.map((r) => r.idempotency_key);
          expect(new Set(inHistory)).toEqual(new Set(committed));
          for (const s of seen) expect(s).toEqual(inHistory);
        }),
        { numRuns: 12 },
      );
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('an appender paused inside its transaction holds back no reader, and others wait for it at most lock_timeout', async () => {
    const stuck = await db.pool.connect();
    try {
      await stuck.query('BEGIN');
      await appendEvents(stuck, eventsOf('stuck', 1));
      // Readers read what is committed at once: the stuck transaction's event is invisible, and no
      // position after it has been drawn.
      const before = await readAll(db.pool, START, 1_000_000);
      const started = Date.now();
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      expect(before.length).toBe(rows[0]!.n);
      expect(Date.now() - started).toBeLessThan(1_000);
      // Another appender gives up after the lock_timeout migration 0016 sets, with a clear code.
      const waited = Date.now();
      await expect(appendEvents(db.pool, eventsOf('behind-stuck', 1))).rejects.toMatchObject({ code: '55P03' });
      expect(Date.now() - waited).toBeGreaterThanOrEqual(4_500);
    } finally {
      await stuck.query('ROLLBACK');
      stuck.release();
    }
  });
});
