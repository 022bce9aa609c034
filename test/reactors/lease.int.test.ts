import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLease, type HeldLease, type OneOffOptions } from '../../src/reactors/lease.js';
import { readLeaseHolder } from '../../src/reactors/leaseRows.js';
import { LLM_LEASE } from '../../src/reactors/llmAnalysis/startLlmReactor.js';
import { RECONCILE_LEASE } from '../../src/reactors/reconcile/sweeper.js';
import { RELAY_LEASE } from '../../src/reactors/relay/startRelay.js';
import { createTestDatabase } from '../support/db.js';
import { startTcpProxy } from '../support/tcpProxy.js';

// The one-off form of the lease (a reconciliation pass, a rebuild's asking) over a real Postgres:
// one holder at a time, the row given back when the work ends, and the work told when the lease
// is lost under it: another owner took the row, or Postgres stopped answering.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

/** Short enough that a lost lease shows within a second or two. */
const TIMING: OneOffOptions = { ttlMs: 1_500, renewEveryMs: 100, onError: () => {} };

function once<T>(name: string, work: (lease: HeldLease) => Promise<T>, options: OneOffOptions = {}, db: pg.Pool = pool) {
  return withLease(db, name, work, { ...TIMING, ...options });
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pool through a proxy the test can break. */
async function breakablePool() {
  const u = new URL(database.url);
  const proxy = await startTcpProxy(Number(u.port || 5432), u.hostname);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  const db = new pg.Pool({ connectionString: u.toString(), max: 3, connectionTimeoutMillis: 300 });
  db.on('error', () => {});
  return { proxy, db };
}

describe('a lease for work done once', () => {
  it('has one holder at a time; another skips, or waits when asked to', async () => {
    const release = gate();
    const entered = gate();
    const first = once('test/one', async () => {
      entered.open();
      await release.opened;
      return 'first';
    });
    await entered.opened;
    expect(await once('test/one', async () => 'second')).toEqual({ ran: false });
    expect(await once('test/other', async () => 'other')).toEqual({ ran: true, value: 'other' });

    const waiting = once('test/one', async () => 'waited', { wait: true });
    release.open();
    expect(await first).toEqual({ ran: true, value: 'first' });
    expect(await waiting).toEqual({ ran: true, value: 'waited' });
    expect(await once('test/one', async () => 'again')).toEqual({ ran: true, value: 'again' });
  });

  it('shows operators its holder, under an owner name of its own each time, and gives the row back after', async () => {
    const owners: string[] = [];
    for (let i = 0; i < 2; i++) {
      await once('test/shown', async (lease) => {
        expect(lease.held).toBe(true);
        const holder = await readLeaseHolder(pool, 'test/shown');
        expect(holder?.expired).toBe(false);
        owners.push(holder!.owner);
      });
      expect(await readLeaseHolder(pool, 'test/shown')).toBeUndefined();
    }
    expect(owners[0]).toMatch(new RegExp(`/${process.pid}/`));
    expect(owners[1]).not.toBe(owners[0]);
  });

  it('is given back when the work throws', async () => {
    await expect(once('test/throws', async () => Promise.reject(new Error('pass failed')))).rejects.toThrow('pass failed');
    expect(await readLeaseHolder(pool, 'test/throws')).toBeUndefined();
    expect(await once('test/throws', async () => 'next')).toEqual({ ran: true, value: 'next' });
  });

  it('tells the work when another owner took the row after it expired, and leaves that owner its row', async () => {
    const name = 'test/expired';
    const secondHolds = gate();
    const secondMayEnd = gate();
    let second: Promise<unknown> | undefined;
    let secondOwner: string | undefined;
    const first = await once(name, async (lease) => {
      // As if this holder had stalled past its time to live: the row is anyone's, and another takes it.
      await pool.query(`UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = $1`, [name]);
      second = once(name, async () => {
        secondOwner = (await readLeaseHolder(pool, name))!.owner;
        secondHolds.open();
        await secondMayEnd.opened;
      });
      await secondHolds.opened;
      await until(() => !lease.held, 'the first holder is told');
      return lease.lost.aborted;
    });
    expect(first).toEqual({ ran: true, value: true });
    // The first one's end did not delete the row the second holds.
    expect((await readLeaseHolder(pool, name))?.owner).toBe(secondOwner);
    secondMayEnd.open();
    await second;
    expect(await readLeaseHolder(pool, name)).toBeUndefined();
  });

  it('tells the work when its row was handed to someone else, and leaves it to them', async () => {
    const name = 'test/handed';
    const outcome = await once(name, async (lease) => {
      await pool.query(`UPDATE leases SET owner = 'someone else', expires_at = now() + interval '1 hour' WHERE name = $1`, [name]);
      await until(() => !lease.held, 'the holder is told');
      return lease.lost.aborted;
    });
    expect(outcome).toEqual({ ran: true, value: true });
    expect((await readLeaseHolder(pool, name))?.owner).toBe('someone else');
  });

  it('tells the work when Postgres stops answering, before the row expires for others', async () => {
    const name = 'test/unanswered';
    const { proxy, db } = await breakablePool();
    try {
      const outcome = await once(
        name,
        async (lease) => {
          // Requests go through, answers never come back: renewals hang rather than fail.
          proxy.swallowReplies();
          await until(() => !lease.held, 'the holder is told');
          return readLeaseHolder(pool, name);
        },
        { ttlMs: 3_000, renewEveryMs: 500 },
        db,
      );
      expect(outcome.ran).toBe(true);
      // Told while its row still stood in the others' way: nobody else could have started meanwhile.
      if (outcome.ran) expect(outcome.value?.expired).toBe(false);
    } finally {
      proxy.up();
      await proxy.close();
      await db.end();
    }
  });

  it('refuses, running nothing, when Postgres cannot be reached', async () => {
    const { proxy, db } = await breakablePool();
    proxy.down();
    let ran = false;
    try {
      await expect(once('test/unreachable', async () => (ran = true), {}, db)).rejects.toThrow();
      await expect(once('test/unreachable', async () => (ran = true), { wait: true }, db)).rejects.toThrow();
    } finally {
      await proxy.close();
      await db.end();
    }
    expect(ran).toBe(false);
  });

  it('waits for a holder killed with SIGKILL until its row expires (not at once, as a lock would)', async () => {
    const name = 'test/killed';
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/leaseHolder.ts', database.url, name, '1500'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const owner = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(await once(name, async () => 'skipped')).toEqual({ ran: false });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const dead = (await readLeaseHolder(pool, name))!;
    expect(dead.owner).toBe(owner);

    const taken = await once(name, async () => (await readLeaseHolder(pool, name))!, { wait: true });
    expect(taken.ran).toBe(true);
    if (taken.ran) {
      expect(taken.value.owner).not.toBe(owner);
      // Taken only once the dead holder's row had expired, by Postgres's clock.
      expect(taken.value.acquiredAt.getTime()).toBeGreaterThan(dead.expiresAt.getTime());
    }
  });

  it("is one row a job: the relay's, reconciliation's and llm@1's leases have names of their own", () => {
    expect(new Set([RELAY_LEASE, RECONCILE_LEASE, LLM_LEASE]).size).toBe(3);
  });
});
