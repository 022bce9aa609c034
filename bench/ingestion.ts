import autocannon from 'autocannon';
import { parseKek } from '../src/privacy/kek.js';
import { Keyring } from '../src/privacy/keyring.js';
import pg from 'pg';
import { callbackTokens } from '../src/commands/callbackToken.js';
import { createBenchDatabase } from './support/database.js';
import { CONVERSATION_ID_PLACEHOLDER, seedStartedConversations, singleBodyTemplate, waitForProjections } from './support/fixtures.js';
import { BENCH_DATA_KEK, startProcess, type Child } from './support/processes.js';

// Ingestion: 64 connections post 4.4 KB single-body callbacks, each for a distinct conversation that
// exists, to the service (answering 200 only after commit); the same to the durable floor, the
// design's yardstick (the same express stack storing only the raw body, with group commit, 200 after
// commit); and to the ceiling, that stack without a database. All in one run, so the ratios are
// measured, not guessed.

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface IngestionResult {
  ceiling: LoadResult;
  floor: LoadResult;
  service: LoadResult;
  /** Service / ceiling. */
  ratio: number;
  /** Service / durable floor: what the design's target is about. */
  floorRatio: number;
  bodyBytes: number;
  durable: number;
  bytesPerCallback: number;
  /** Seconds after the measured load until the live projections had applied everything. */
  catchUpSeconds: number;
  connections: number;
  seconds: number;
  database: string;
}

const SECRET = 'bench-secret-of-enough-length';

export async function load(url: string, paths: string[], ids: string[], seconds: number, connections: number): Promise<LoadResult> {
  const [prefix, suffix] = singleBodyTemplate().split(CONVERSATION_ID_PLACEHOLDER) as [string, string];
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          const i = next++ % paths.length;
          return { ...req, path: paths[i]!, body: prefix + ids[i]! + suffix };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

export async function runIngestionBench(options: { seconds?: number; connections?: number; conversations?: number } = {}): Promise<IngestionResult> {
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 64;
  const database = await createBenchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  let service: Child | undefined;
  let ceiling: Child | undefined;
  let floor: Child | undefined;
  try {
    const seeded = await seedStartedConversations(pool, options.conversations ?? 150_000, 'c', new Keyring([parseKek(BENCH_DATA_KEK)]));
    const tokens = callbackTokens(SECRET);
    const paths = seeded.map((c) => `/webhooks/tavus/${tokens.issue(c.id)}`);
    const ids = seeded.map((c) => c.tavusId);

    ceiling = await startProcess(['--import', 'tsx', 'bench/ceilingServer.ts'], { LOG_LEVEL: 'warn' }, 3101);
    await load(ceiling.url, paths.slice(0, 1000), ids.slice(0, 1000), 2, connections); // warm-up
    const ceilingResult = await load(ceiling.url, paths, ids, seconds, connections);
    await ceiling.stop();
    ceiling = undefined;

    floor = await startProcess(['--import', 'tsx', 'bench/floorServer.ts'], { DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, 3103);
    await load(floor.url, paths.slice(0, 1000), ids.slice(0, 1000), 2, connections); // warm-up
    const floorResult = await load(floor.url, paths, ids, seconds, connections);
    await floor.stop();
    floor = undefined;
    // Its rows are not the service's: leave the database as the service would find it.
    await pool.query('DROP TABLE floor_callbacks');
    await pool.query('VACUUM');

    service = await startProcess(['dist/main.js'], { DATABASE_URL: database.url, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' }, 3102, '/readyz');
    await waitForProjections(pool);
    // Warm-up on conversations the measured run will not use.
    const warm = 4_000;
    await load(service.url, paths.slice(-warm), ids.slice(-warm), 2, connections);
    const stored = `SELECT pg_total_relation_size('events') + pg_total_relation_size('callbacks') AS bytes, (SELECT count(*) FROM callbacks) AS count`;
    const sizeBefore = (await pool.query<{ bytes: string; count: string }>(stored)).rows[0]!;
    const before = Number(sizeBefore.count);
    const serviceResult = await load(service.url, paths.slice(0, -warm), ids.slice(0, -warm), seconds, connections);
    await pool.query('VACUUM events, callbacks');
    const sizeAfter = (await pool.query<{ bytes: string; count: string }>(stored)).rows[0]!;
    const after = Number(sizeAfter.count);
    // Under this overload the projections thread (niced) yields to the callbacks; how long feedback
    // takes to catch up once the burst is over says whether it keeps pace overall.
    const caughtUpFrom = performance.now();
    await waitForProjections(pool);
    const catchUpSeconds = (performance.now() - caughtUpFrom) / 1000;
    return {
      ceiling: ceilingResult,
      floor: floorResult,
      service: serviceResult,
      ratio: serviceResult.requestsPerSecond / ceilingResult.requestsPerSecond,
      floorRatio: serviceResult.requestsPerSecond / floorResult.requestsPerSecond,
      bodyBytes: Buffer.byteLength(singleBodyTemplate().replace(CONVERSATION_ID_PLACEHOLDER, ids[0]!)),
      durable: after - before,
      // What a callback adds to the history and the audit trail (tables, TOAST and indexes).
      bytesPerCallback: Math.round((Number(sizeAfter.bytes) - Number(sizeBefore.bytes)) / (after - before)),
      catchUpSeconds,
      connections,
      seconds,
      database: database.describe,
    };
  } finally {
    await ceiling?.stop();
    await floor?.stop();
    await service?.stop();
    await pool.end();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runIngestionBench({ conversations: Number(process.env.BENCH_CONVERSATIONS) || undefined });
  console.log(JSON.stringify(r, null, 2));
}
