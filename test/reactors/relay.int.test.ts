import { spawn } from 'node:child_process';
import { TEST_DATA_KEK } from '../support/keys.js';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackTokens } from '../../src/commands/callbackToken.js';
import { loadConfig } from '../../src/config.js';
import { readAll, START } from '../../src/events/readAll.js';
import { readRelayCheckpoint, setRelayCheckpoint } from '../../src/reactors/relay/checkpoint.js';
import { kurrentStreams, type StreamStore } from '../../src/reactors/relay/kurrentStreams.js';
import { readRelayLag } from '../../src/reactors/relay/lag.js';
import { publishStream } from '../../src/reactors/relay/publishStream.js';
import { readRelayEvents } from '../../src/reactors/relay/readRelayEvents.js';
import { Relay } from '../../src/reactors/relay/relay.js';
import { startService } from '../../src/service.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { createTestDatabase } from '../support/db.js';
import { kurrentDbKind, startKurrentDb, type KurrentDbTarget } from '../support/kurrentDb.js';
import { startKurrentDbStandIn } from '../support/kurrentDbStandIn/server.js';
import { appendConversations, appendStarts, expectedStreams, publishedStreams, tavusIdPrefix } from '../support/relayHistory.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';

// The relay's contract with KurrentDB, against a real KurrentDB when KURRENTDB_URL is set and the
// stand-in otherwise. The relay talks through a TCP proxy so that the tests can take KurrentDB away
// or lose its answers; checks read KurrentDB directly.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
let kurrent: KurrentDbTarget;
let proxy: TcpProxy;
let direct: StreamStore;
const stores: StreamStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  kurrent = await startKurrentDb();
  proxy = await startTcpProxy(kurrent.port, kurrent.host);
  direct = kurrentStreams(kurrent.url);
});

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => {});
  await direct.close();
  await proxy.close();
  await kurrent.close();
  await pool.end();
  await database.drop();
});

/** A store through the proxy, with a short deadline so that a lost answer is noticed quickly. */
function proxiedStore(): StreamStore {
  const store = kurrentStreams(kurrent.via(proxy.port), { deadlineMs: 2_000 });
  stores.push(store);
  return store;
}

function relayOver(store: StreamStore, batchSize = 50): Relay {
  return new Relay(pool, store, { logger: silent, batchSize, retryMinMs: 50, retryMaxMs: 200 });
}

/** Each test starts with everything before it already published, so it sees only its own streams. */
async function skipEarlierHistory(): Promise<void> {
  const all = await readAll(pool, START, 1_000_000);
  const last = all.at(-1);
  await setRelayCheckpoint(pool, last ? { transactionId: last.transactionId, position: last.position } : START);
}

async function expectExactlyOnce(prefix: string): Promise<number> {
  const expected = await expectedStreams(pool, prefix);
  const published = await publishedStreams(direct, expected.keys());
  expect(published).toEqual(expected);
  return [...expected.values()].reduce((n, ids) => n + ids.length, 0);
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Appends and reads as the relay does them, on a store: the server's idempotence and its refusals. */
async function checkRules(store: StreamStore): Promise<void> {
  const stream = `conversation-${tavusIdPrefix()}rules`;
  const event = (n: number) => fakeEvent(stream, n);
  expect(await store.append(stream, [event(0), event(1)], 'no_stream')).toEqual({ status: 'appended', revision: 1n });
  // A retry of the same append: nothing written twice.
  expect(await store.append(stream, [event(0), event(1)], 'no_stream')).toEqual({ status: 'appended', revision: 1n });
  expect(await store.append(stream, [event(1)], 0n)).toEqual({ status: 'appended', revision: 1n });
  // Only part of it there, or another event at that place, or an expected revision ahead: refused.
  expect(await store.append(stream, [event(1), event(2)], 0n)).toEqual({ status: 'wrong expected version' });
  expect(await store.append(stream, [event(3)], 0n)).toEqual({ status: 'wrong expected version' });
  expect(await store.append(stream, [event(2)], 5n)).toEqual({ status: 'wrong expected version' });
  expect(await store.append(stream, [event(2)], 1n)).toEqual({ status: 'appended', revision: 2n });
  expect(await store.readIds(stream)).toEqual([event(0).id, event(1).id, event(2).id]);
  expect(await store.readIds(`${stream}-none`)).toEqual([]);
}

describe(`KurrentDB's rules the relay relies on (${kurrentDbKind()})`, () => {
  it('ignores the same ids after the same expected revision, and answers wrong expected version otherwise (BatchAppend)', async () => {
    await checkRules(direct);
  });

  it.skipIf(kurrentDbKind() === 'KurrentDB')('the same through Append, which the client uses when a server has no BatchAppend (stand-in only)', async () => {
    const older = await startKurrentDbStandIn({ batchAppend: false });
    const store = kurrentStreams(older.url);
    try {
      await checkRules(store);
      expect(older.appends).toEqual({ append: 7, batchAppend: 0 });
    } finally {
      await store.close();
      await older.close();
    }
  });
});

function fakeEvent(stream: string, n: number) {
  return {
    position: String(n + 1),
    transactionId: '1',
    streamId: stream,
    revision: BigInt(n),
    id: randomUUIDFor(stream, n),
    type: 'Test',
    data: { n },
    metadata: { position: String(n + 1), schemaVersion: 1, recordedAt: new Date(0).toISOString(), idempotencyKey: `${stream}/${n}`, metadata: {} },
    recordedAt: new Date(0),
  };
}

const fakeIds = new Map<string, string>();
function randomUUIDFor(stream: string, n: number): string {
  const key = `${stream}/${n}`;
  if (!fakeIds.has(key)) fakeIds.set(key, randomUUID());
  return fakeIds.get(key)!;
}

describe(`the relay to ${kurrentDbKind()}`, () => {
  it('publishes the history from the start, in commit order, with type, data, metadata and schema version', async () => {
    // History written before the relay was ever switched on (the first test of this database).
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 30, 4);
    expect(await readRelayCheckpoint(pool)).toEqual({ ...START, updatedAt: undefined });
    expect((await readRelayLag(pool)).events).toBe(120);
    expect((await readRelayLag(pool)).seconds).toBeGreaterThan(0);
    const relay = relayOver(proxiedStore(), 17);
    expect(await relay.drain()).toBe(120);
    expect(await expectExactlyOnce(prefix)).toBe(120);

    const stream = `conversation-${prefix}3`;
    const { rows } = await pool.query(
      'SELECT position, type, data, metadata, schema_version, idempotency_key, recorded_at FROM events WHERE stream_id = $1 ORDER BY position',
      [stream],
    );
    const client = KurrentDBClient.connectionString(kurrent.url);
    try {
      const read = [];
      for await (const r of client.readStream(stream)) read.push(r.event!);
      expect(read.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata, revision: e.revision }))).toEqual(
        rows.map((r, i) => ({
          type: r.type,
          data: r.data,
          metadata: {
            position: r.position,
            schemaVersion: r.schema_version,
            recordedAt: r.recorded_at.toISOString(),
            idempotencyKey: r.idempotency_key,
            metadata: r.metadata,
          },
          revision: BigInt(i),
        })),
      );
      expect(read.every((e) => e.isJson)).toBe(true);
    } finally {
      await client.dispose();
    }
    expect(await readRelayLag(pool)).toEqual({ events: 0, seconds: 0 });
  });

  it('appends nothing twice when it retries after an unknown outcome', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    const store = proxiedStore();
    const relay = relayOver(store, 1_000);
    await appendConversations(pool, prefix, 20, 1);
    await relay.drain(); // the connection is up and in use
    await appendConversations(pool, prefix, 20, 2, 1);
    const before = await readRelayCheckpoint(pool);

    proxy.swallowReplies();
    await expect(relay.runBatch()).rejects.toThrow();
    // KurrentDB has stored the batch; the relay could not know, and its checkpoint stayed.
    expect((await direct.readIds(`conversation-${prefix}7`)).length).toBe(3);
    expect(await readRelayCheckpoint(pool)).toEqual(before);

    proxy.up();
    await relay.drain();
    expect(await expectExactlyOnce(prefix)).toBe(60);
  });

  it('completes a batch that was partly published, comparing ids', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 6, 5);
    const heads = await readAll(pool, await readRelayCheckpoint(pool), 1_000);
    const events = await readRelayEvents(
      pool,
      heads.map((h) => h.position),
    );
    const of = (c: number) => events.filter((e) => e.streamId === `conversation-${prefix}${c}`);
    // An earlier attempt got this far: two streams whole, two only their first events, two nothing.
    await publishStream(direct, of(0));
    await publishStream(direct, of(1));
    await direct.append(`conversation-${prefix}2`, of(2).slice(0, 2), 'no_stream');
    await direct.append(`conversation-${prefix}3`, of(3).slice(0, 4), 'no_stream');

    await relayOver(proxiedStore(), 1_000).drain();
    expect(await expectExactlyOnce(prefix)).toBe(30);
  });

  it('never appends over events someone else wrote: compares ids and appends after them', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 2, 3);
    const foreign = fakeEvent(`conversation-${prefix}1`, 0);
    await direct.append(`conversation-${prefix}1`, [foreign], 'no_stream');
    await relayOver(proxiedStore()).drain();
    const expected = await expectedStreams(pool, prefix);
    expect(await direct.readIds(`conversation-${prefix}0`)).toEqual(expected.get(`conversation-${prefix}0`));
    expect(await direct.readIds(`conversation-${prefix}1`)).toEqual([foreign.id, ...expected.get(`conversation-${prefix}1`)!]);
  });

  it('two relays racing publish each event once', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 200, 3);
    const a = relayOver(proxiedStore(), 40);
    const b = relayOver(kurrentStreams(kurrent.url), 40);
    const [byA, byB] = await Promise.all([a.drain(), b.drain(), a.drain()]);
    // Both did work (whatever the other had done too), and still each event is there once.
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(await expectExactlyOnce(prefix)).toBe(600);
    expect((await readRelayLag(pool)).events).toBe(0);
  });

  it('starts while KurrentDB is down and publishes once it is up', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 5, 2);
    proxy.down();
    try {
      const relay = relayOver(proxiedStore());
      await expect(relay.runBatch()).rejects.toThrow();
      await expect(relay.runBatch()).rejects.toThrow();
      proxy.up();
      await relay.drain();
    } finally {
      proxy.up();
    }
    expect(await expectExactlyOnce(prefix)).toBe(10);
  });

  it('keeps callbacks flowing while KurrentDB is down, backs off, then catches up', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    const secret = 'test-secret-that-is-long-enough';
    const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DATA_KEK: TEST_DATA_KEK, KURRENTDB_URL: kurrent.via(proxy.port) });
    const service = await startService({ ...config, databaseUrl: database.url, jwtSecret: secret }, silent);
    try {
      const relay = service.relay!;
      await relay.lease.whenHeld();
      const conversations = Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), tavusId: `${prefix}${i}` }));
      await appendStarts(pool, conversations);
      await until(async () => (await readRelayLag(pool)).events === 0, 'the starts are published');

      proxy.down();
      const tokens = callbackTokens(secret);
      for (const c of conversations) {
        const response = await fetch(`${service.url}/webhooks/tavus/${tokens.issue(c.id)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(singleBodyCallback(c.tavusId)),
        });
        expect(response.status).toBe(200);
      }
      await until(() => relay.relay.consecutiveFailures >= 3, 'the relay has failed and retried');
      expect((await readRelayLag(pool)).events).toBeGreaterThan(0);

      proxy.up();
      await until(async () => (await readRelayLag(pool)).events === 0, 'the relay has caught up', 60_000);
      expect(relay.relay.consecutiveFailures).toBe(0);
      // Each callback added at least an end and a transcript to its conversation's start.
      expect(await expectExactlyOnce(prefix)).toBeGreaterThanOrEqual(30);
    } finally {
      proxy.up();
      await service.stop();
    }
  });

  it('resumes after the service is killed with SIGKILL mid-relay, and publishes each event once', async () => {
    await skipEarlierHistory();
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 1_500, 4);
    const total = 6_000;
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      KURRENTDB_URL: kurrent.url,
      PORT: '0',
      LOG_LEVEL: 'warn',
      AUTH_JWT_SECRET: 'test-secret-that-is-long-enough',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await until(async () => (await readRelayLag(pool)).events < total - 1_000, 'the service has relayed some batches');
      child.kill('SIGKILL');
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
    const lag = (await readRelayLag(pool)).events;
    expect(lag).toBeGreaterThan(0);

    // Another instance (here, in this process) takes over from the checkpoint.
    await relayOver(kurrentStreams(kurrent.url), 500).drain();
    expect(await expectExactlyOnce(prefix)).toBe(total);
  }, 120_000);
});
