import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease, type LeasedJob } from '../../src/reactors/lease.js';
import { readLeaseHolder } from '../../src/reactors/leaseRows.js';
import { createTestDatabase } from '../support/db.js';
import { startTcpProxy } from '../support/tcpProxy.js';

// One instance at a time runs a leased job; another takes over when the holder stops, dies, loses
// Postgres or loses its row.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
const leases: Lease[] = [];
const pools: pg.Pool[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  for (const l of leases) await l.stop();
  for (const p of pools) await p.end();
  await pool.end();
  await database.drop();
});

/** Records when it runs; `running` counts the instances of it running at once, across leases. */
class Job implements LeasedJob {
  static running = 0;
  static mostAtOnce = 0;
  events: { what: 'start' | 'stop'; at: number }[] = [];
  running = false;
  constructor(private readonly failStart = false) {}
  async start() {
    if (this.failStart) throw new Error('cannot start here');
    this.running = true;
    Job.running++;
    Job.mostAtOnce = Math.max(Job.mostAtOnce, Job.running);
    this.events.push({ what: 'start', at: performance.now() });
  }
  async stop() {
    if (!this.running) return;
    this.running = false;
    Job.running--;
    this.events.push({ what: 'stop', at: performance.now() });
  }
}

let names = 0;
function leaseName(): string {
  return `job-${++names}`;
}

function lease(name: string, owner: string, job: LeasedJob, db: pg.Pool = pool, ttlMs = 1_500): Lease {
  const l = new Lease(db, { name, owner, ttlMs, renewEveryMs: 100, onError: () => {} }, job);
  leases.push(l);
  return l;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a lease', () => {
  it('runs the job in one instance of several; a graceful stop hands it over at once', async () => {
    const name = leaseName();
    Job.mostAtOnce = Job.running = 0;
    const jobs = [new Job(), new Job(), new Job()];
    const all = jobs.map((job, i) => lease(name, `instance-${i}`, job, pool, 60_000));
    await Promise.all(all.map((l) => l.start()));
    await Promise.race(all.map((l) => l.whenHeld()));
    const holder = all.findIndex((l) => l.held);
    expect(all.filter((l) => l.held)).toHaveLength(1);
    expect(jobs.filter((j) => j.running)).toHaveLength(1);
    expect((await readLeaseHolder(pool, name))?.owner).toBe(`instance-${holder}`);

    // Stopping releases the row: the next holder does not wait out the minute-long time to live.
    await all[holder]!.stop();
    const rest = all.filter((_, i) => i !== holder);
    await Promise.race(rest.map((l) => l.whenHeld()));
    expect(rest.filter((l) => l.held)).toHaveLength(1);
    expect(jobs[holder]!.running).toBe(false);
    expect(Job.mostAtOnce).toBe(1);
  });

  it('is taken over once the time to live has passed when its holder is killed with SIGKILL', async () => {
    const name = leaseName();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/leaseHolder.ts', database.url, name, '1500'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const owner = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const job = new Job();
    const standby = lease(name, 'standby', job);
    await standby.start();
    // The holder renews: the standby keeps waiting.
    await new Promise((r) => setTimeout(r, 600));
    expect(standby.held).toBe(false);
    expect((await readLeaseHolder(pool, name))?.owner).toBe(owner);

    const killedAt = performance.now();
    child.kill('SIGKILL');
    await standby.whenHeld();
    const tookOverAfter = performance.now() - killedAt;
    expect(job.running).toBe(true);
    expect((await readLeaseHolder(pool, name))?.owner).toBe('standby');
    // Within the time to live plus a renewal or two (generous for a loaded machine).
    expect(tookOverAfter).toBeLessThan(1_500 + 3_000);
  });

  it('stops its job when it cannot renew, before another instance may take over', async () => {
    const name = leaseName();
    const u = new URL(database.url);
    const proxy = await startTcpProxy(Number(u.port || 5432), u.hostname);
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    const cutOff = new pg.Pool({ connectionString: u.toString(), max: 2, connectionTimeoutMillis: 300 });
    cutOff.on('error', () => {});
    pools.push(cutOff);
    const first = new Job();
    const second = new Job();
    const a = lease(name, 'a', first, cutOff);
    await a.start();
    await a.whenHeld();
    const b = lease(name, 'b', second);
    await b.start();

    proxy.down();
    await b.whenHeld();
    expect(first.running).toBe(false);
    const stoppedAt = first.events.find((e) => e.what === 'stop')!.at;
    const startedAt = second.events.find((e) => e.what === 'start')!.at;
    expect(stoppedAt).toBeLessThan(startedAt);
    proxy.up();
    await proxy.close();
  });

  it('stops its job when its row was taken by another instance', async () => {
    const name = leaseName();
    const job = new Job();
    const l = lease(name, 'me', job, pool, 60_000);
    await l.start();
    await l.whenHeld();
    await pool.query(`UPDATE leases SET owner = 'someone else', expires_at = now() + interval '1 hour' WHERE name = $1`, [name]);
    await until(() => !job.running, 'the job stopped');
    expect(l.held).toBe(false);
    expect((await readLeaseHolder(pool, name))?.owner).toBe('someone else');
  });

  it('gives the lease up when its job fails to start, so another instance can run it', async () => {
    const name = leaseName();
    const broken = lease(name, 'broken', new Job(true), pool, 60_000);
    await broken.start();
    const job = new Job();
    const working = lease(name, 'working', job, pool, 60_000);
    await working.start();
    await working.whenHeld();
    expect(job.running).toBe(true);
    expect(broken.held).toBe(false);
  });
});
