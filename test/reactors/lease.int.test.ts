import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLease } from '../../src/reactors/reconcile/lease.js';
import { createTestDatabase } from '../support/db.js';

// The sweeper's lease over a real Postgres: one holder at a time, freed when its holder ends or its
// connection dies, and the holder told when that happens.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  pool.on('error', () => {});
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('the reconciliation lease', () => {
  it('has one holder at a time; another instance skips, or waits when asked to', async () => {
    const release = gate();
    const entered = gate();
    const first = withLease(pool, 'test/lease', async () => {
      entered.open();
      await release.opened;
      return 'first';
    });
    await entered.opened;
    expect(await withLease(pool, 'test/lease', async () => 'second')).toEqual({ ran: false });
    expect(await withLease(pool, 'test/other', async () => 'other')).toEqual({ ran: true, value: 'other' });

    const waiting = withLease(pool, 'test/lease', async () => 'waited', { wait: true });
    release.open();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await waiting).toEqual({ ran: true, value: 'waited' });
    expect(await withLease(pool, 'test/lease', async () => 'again')).toEqual({ ran: true, value: 'again' });
  });

  it('is freed when the holder throws', async () => {
    await expect(withLease(pool, 'test/throws', async () => Promise.reject(new Error('pass failed')))).rejects.toThrow('pass failed');
    expect(await withLease(pool, 'test/throws', async () => 'next')).toEqual({ ran: true, value: 'next' });
  });

  it('tells its holder when the connection that holds it is lost, and is free for others then', async () => {
    const lost = gate();
    const holding = withLease(pool, 'test/lost', async (lease) => {
      expect(lease.held).toBe(true);
      const { rows } = await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = (hashtextextended('test/lost', 0) & 4294967295)::oid AND granted`,
      );
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      while (lease.held) await new Promise((resolve) => setImmediate(resolve));
      lost.open();
      return lease.held;
    });
    await lost.opened;
    expect(await holding).toEqual({ ran: true, value: false });
    expect(await withLease(pool, 'test/lost', async () => 'taken over')).toEqual({ ran: true, value: 'taken over' });
  });
});
