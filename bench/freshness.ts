import http from 'node:http';
import pg from 'pg';
import { callbackTokens } from '../src/commands/callbackToken.js';
import { createBenchDatabase } from './support/database.js';
import { CONVERSATION_ID_PLACEHOLDER, seedStartedConversations, singleBodyTemplate, waitForProjections } from './support/fixtures.js';
import { startProcess } from './support/processes.js';

// Freshness: callbacks at a steady 1,000/s; for each, the time from its 200 to its feedback row being
// readable in feedback_sessions, found by polling the view every 5 ms for the conversations pending.

export interface FreshnessResult {
  rate: number;
  seconds: number;
  sent: number;
  non200: number;
  /** What the non-200 answers were, by status or error. */
  failures: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  pollMs: number;
  database: string;
}

const SECRET = 'bench-secret-of-enough-length';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * A writing transaction in another database of the same server, open for `seconds` once begun: what
 * a neighbour's migration or long job does on a shared Postgres. Readers must not wait for it. The
 * database is made first, before the seeding: CREATE DATABASE forces a checkpoint, whose writes
 * would otherwise land in the measured run.
 */
async function neighbourDatabase(databaseUrl: string): Promise<{ begin: (seconds: number) => Promise<void>; end: () => Promise<void> }> {
  const neighbour = new URL(databaseUrl);
  const name = `${neighbour.pathname.slice(1)}_neighbour`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  neighbour.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: neighbour.toString() });
  await client.connect();
  let timer: NodeJS.Timeout | undefined;
  return {
    async begin(seconds) {
      await client.query('BEGIN');
      await client.query('CREATE TABLE ledger (entry int)');
      await client.query('INSERT INTO ledger SELECT generate_series(1, 1000)');
      timer = setTimeout(() => void client.query('ROLLBACK').catch(() => {}), seconds * 1000);
    },
    async end() {
      clearTimeout(timer);
      await client.end().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function runFreshnessBench(options: { rate?: number; seconds?: number; foreignTransactionSeconds?: number } = {}): Promise<FreshnessResult> {
  const rate = options.rate ?? 1_000;
  const seconds = options.seconds ?? 10;
  const pollMs = Number(process.env.POLL_MS ?? 5);
  const total = rate * seconds;
  const database = await createBenchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const service = await startProcess(['dist/main.js'], { DATABASE_URL: database.url, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' }, 3103, '/readyz');
  const foreign = options.foreignTransactionSeconds ? await neighbourDatabase(database.url) : undefined;
  try {
    const seeded = await seedStartedConversations(pool, total);
    await waitForProjections(pool);
    const tokens = callbackTokens(SECRET);
    const [prefix, suffix] = singleBodyTemplate().split(CONVERSATION_ID_PLACEHOLDER) as [string, string];
    if (foreign) await foreign.begin(options.foreignTransactionSeconds!);

    const acknowledged = new Map<string, number>();
    const latencies: number[] = [];
    let non200 = 0;
    const failures: Record<string, number> = {};
    const fail = (kind: string) => {
      non200++;
      failures[kind] = (failures[kind] ?? 0) + 1;
    };
    let sending = true;
    const poller = (async () => {
      while (sending || acknowledged.size > 0) {
        const pending = [...acknowledged.keys()];
        if (pending.length > 0) {
          const { rows } = await pool.query<{ conversation_id: string }>(
            'SELECT conversation_id FROM feedback_sessions WHERE conversation_id = ANY($1::uuid[])',
            [pending],
          );
          const now = performance.now();
          for (const { conversation_id } of rows) {
            latencies.push(Math.max(0, now - acknowledged.get(conversation_id)!));
            acknowledged.delete(conversation_id);
          }
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    })();

    // Like a real sender, a bounded number of connections: requests beyond them wait their turn.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const { hostname, port } = new URL(service.url);
    const post = (path: string, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          { agent, hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const c = seeded[i]!;
      inFlight.push(
        post(`/webhooks/tavus/${tokens.issue(c.id)}`, prefix + c.tavusId + suffix)
          .then((status) => {
            if (status === 200) acknowledged.set(c.id, performance.now());
            else fail(String(status));
          })
          .catch((err: Error & { code?: string }) => fail(err.code ?? err.message)),
      );
    }
    await Promise.all(inFlight);
    agent.destroy();
    sending = false;
    const deadline = performance.now() + 30_000;
    while (acknowledged.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await poller;
    latencies.sort((a, b) => a - b);
    return {
      rate,
      seconds,
      sent: total,
      non200,
      failures,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      pollMs,
      database: database.describe,
    };
  } finally {
    await foreign?.end();
    await service.stop();
    await pool.end();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runFreshnessBench({ foreignTransactionSeconds: Number(process.env.FOREIGN_S ?? 0) || undefined }), null, 2));
}
