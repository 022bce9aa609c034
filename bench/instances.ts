import pg from 'pg';
import { callbackTokens } from '../src/commands/callbackToken.js';
import { readRelayLag } from '../src/reactors/relay/lag.js';
import { load, type LoadResult } from './ingestion.js';
import { createBenchDatabase } from './support/database.js';
import { seedStartedConversations, waitForProjections } from './support/fixtures.js';
import { startProcess, type Child } from './support/processes.js';

// One instance against three on one Postgres: the ingestion load (4.4 KB single-body callbacks, 64
// connections in all) spread evenly over the instances, each run on conversations of its own. On
// one machine the instances share its cores with Postgres, so this shows what several instances
// cost or gain here, not what separate machines would give. With KURRENTDB_URL set the instances
// also relay (one of them at a time): the backlog of starts is published before the load, and the
// time the relay took to catch up after it is reported.

export interface InstancesRun {
  instances: number;
  requestsPerSecond: number;
  /** The worst instance's p99. */
  p99: number;
  non2xx: number;
  errors: number;
  catchUpSeconds: number;
  /** With KURRENTDB_URL: seconds after the load until the relay had published everything. */
  relayCatchUpSeconds: number | null;
}

export interface InstancesResult {
  runs: InstancesRun[];
  connections: number;
  seconds: number;
  database: string;
}

const SECRET = 'bench-secret-of-enough-length';
const relaying = Boolean(process.env.KURRENTDB_URL);

async function waitForRelay(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await readRelayLag(pool)).events > 0) {
    if (Date.now() > deadline) throw new Error('the relay did not catch up in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runInstancesBench(options: { seconds?: number; connections?: number; counts?: number[] } = {}): Promise<InstancesResult> {
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 64;
  const counts = options.counts ?? [1, 3];
  const perRun = 60_000;
  const database = await createBenchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const children: Child[] = [];
  try {
    const seeded = await seedStartedConversations(pool, perRun * counts.length);
    const tokens = callbackTokens(SECRET);
    const runs: InstancesRun[] = [];
    for (const [r, count] of counts.entries()) {
      const mine = seeded.slice(r * perRun, (r + 1) * perRun);
      for (let i = 0; i < count; i++) {
        children.push(await startProcess(['dist/main.js'], { DATABASE_URL: database.url, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' }, 3120 + i, '/readyz'));
      }
      await waitForProjections(pool);
      if (relaying) await waitForRelay(pool);
      // Each instance gets its share of the connections and of the conversations.
      const share = (i: number) => mine.filter((_, k) => k % count === i);
      const warm = 3_000;
      await Promise.all(
        children.map((c, i) => {
          const s = share(i).slice(-Math.ceil(warm / count));
          return load(
            c.url,
            s.map((x) => `/webhooks/tavus/${tokens.issue(x.id)}`),
            s.map((x) => x.tavusId),
            2,
            Math.floor(connections / count),
          );
        }),
      );
      const results: LoadResult[] = await Promise.all(
        children.map((c, i) => {
          const s = share(i).slice(0, -Math.ceil(warm / count));
          return load(
            c.url,
            s.map((x) => `/webhooks/tavus/${tokens.issue(x.id)}`),
            s.map((x) => x.tavusId),
            seconds,
            Math.floor(connections / count) + (i < connections % count ? 1 : 0),
          );
        }),
      );
      const from = performance.now();
      await waitForProjections(pool);
      const catchUpSeconds = (performance.now() - from) / 1000;
      if (relaying) await waitForRelay(pool);
      runs.push({
        instances: count,
        requestsPerSecond: results.reduce((n, x) => n + x.requestsPerSecond, 0),
        p99: Math.max(...results.map((x) => x.p99)),
        non2xx: results.reduce((n, x) => n + x.non2xx, 0),
        errors: results.reduce((n, x) => n + x.errors, 0),
        catchUpSeconds,
        relayCatchUpSeconds: relaying ? (performance.now() - from) / 1000 : null,
      });
      for (const c of children.splice(0)) await c.stop();
    }
    return { runs, connections, seconds, database: database.describe };
  } finally {
    for (const c of children) await c.stop();
    await pool.end();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runInstancesBench(), null, 2));
}
