import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackTokens } from '../../src/commands/callbackToken.js';
import { readLeaseHolder } from '../../src/reactors/leaseRows.js';
import { kurrentStreams, type StreamStore } from '../../src/reactors/relay/kurrentStreams.js';
import { readRelayLag } from '../../src/reactors/relay/lag.js';
import { RELAY_LEASE } from '../../src/reactors/relay/startRelay.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { createTestDatabase } from '../support/db.js';
import { kurrentDbKind, startKurrentDb, type KurrentDbTarget } from '../support/kurrentDb.js';
import { appendStarts, expectedStreams, publishedStreams, tavusIdPrefix } from '../support/relayHistory.js';
import { startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

// Three service instances on one Postgres, each receiving callbacks; the one publishing to
// KurrentDB is killed with SIGKILL mid-load. Every callback is answered 200 by some instance (a
// sender retries elsewhere when its instance is gone, as behind a load balancer), nothing is lost or
// doubled, the projections finish, and another instance takes over the relay.

const SECRET = 'test-secret-that-is-long-enough';
const CONVERSATIONS = 450;

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
let kurrent: KurrentDbTarget;
let store: StreamStore;
const instances: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  kurrent = await startKurrentDb();
  store = kurrentStreams(kurrent.url);
});

afterAll(async () => {
  for (const i of instances) await i.stop();
  await store.close();
  await kurrent.close();
  await pool.end();
  await database.drop();
});

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`three instances on one Postgres, relaying to ${kurrentDbKind()}`, () => {
  it('lose nothing and double nothing when one is killed mid-load; projections and relay carry on', async () => {
    const prefix = tavusIdPrefix();
    const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => ({ id: randomUUID(), tavusId: `${prefix}${i}` }));
    await appendStarts(pool, conversations);
    const env = { DATABASE_URL: database.url, KURRENTDB_URL: kurrent.url, AUTH_JWT_SECRET: SECRET };
    instances.push(...(await Promise.all([startServiceProcess(env), startServiceProcess(env), startServiceProcess(env)])));
    await until(async () => (await readLeaseHolder(pool, RELAY_LEASE)) !== undefined, 'an instance holds the relay lease');
    const holderPid = Number((await readLeaseHolder(pool, RELAY_LEASE))!.owner.split('/')[1]);
    const victim = instances.find((i) => i.pid === holderPid)!;
    expect(victim).toBeDefined();

    const tokens = callbackTokens(SECRET);
    const answeredBy = new Map<string, number>();
    let sent = 0;
    let killed = false;
    const dead = new Set<ServiceProcess>();
    const send = async (c: { id: string; tavusId: string }, turn: number) => {
      for (let attempt = 0; ; attempt++) {
        const alive = instances.filter((i) => !dead.has(i));
        const instance = alive[(turn + attempt) % alive.length]!;
        try {
          const response = await fetch(`${instance.url}/webhooks/tavus/${tokens.issue(c.id)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(singleBodyCallback(c.tavusId)),
          });
          if (response.status === 200) {
            answeredBy.set(instance.url, (answeredBy.get(instance.url) ?? 0) + 1);
            return;
          }
          expect(response.status).toBe(503); // the only other answer a sender may see
        } catch {
          // The instance is gone: a load balancer would send it to another.
          if (instance === victim) dead.add(victim);
        }
        if (attempt > 20) throw new Error(`no instance took the callback of ${c.tavusId}`);
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < conversations.length) {
          const turn = next++;
          if (!killed && sent >= CONVERSATIONS / 3) {
            killed = true;
            victim.process.kill('SIGKILL');
          }
          await send(conversations[turn]!, turn);
          sent++;
        }
      }),
    );
    await victim.exited;
    dead.add(victim);
    const survivors = instances.filter((i) => i !== victim);
    for (const s of survivors) expect(answeredBy.get(s.url) ?? 0).toBeGreaterThan(0);
    expect(answeredBy.get(victim.url) ?? 0).toBeGreaterThan(0);

    // Nothing lost, nothing doubled: every conversation has its end and its transcript, once.
    const { rows: facts } = await pool.query<{ type: string; streams: number; events: number }>(
      `SELECT type, count(DISTINCT stream_id)::int AS streams, count(*)::int AS events FROM events WHERE stream_id LIKE $1 GROUP BY type`,
      [`conversation-${prefix}%`],
    );
    const byType = new Map(facts.map((f) => [f.type, f]));
    for (const type of ['ConversationStarted', 'ConversationEnded', 'TranscriptReceived']) {
      expect(byType.get(type), type).toEqual({ type, streams: CONVERSATIONS, events: CONVERSATIONS });
    }

    // The projections carry on in the survivors.
    await until(async () => {
      const { rows } = await pool.query<{ completed: number; feedback: number }>(
        `SELECT (SELECT count(*)::int FROM conversations WHERE conversation_id LIKE $1 AND status = 'completed') AS completed,
                (SELECT count(*)::int FROM feedback_sessions f JOIN conversations c ON c.id = f.conversation_id WHERE c.conversation_id LIKE $1) AS feedback`,
        [`${prefix}%`],
      );
      return rows[0]!.completed === CONVERSATIONS && rows[0]!.feedback === CONVERSATIONS;
    }, 'every conversation is completed and has feedback');

    // A survivor took the relay over and published everything, each event once.
    await until(async () => (await readRelayLag(pool)).events === 0, 'the relay has caught up');
    const holder = await readLeaseHolder(pool, RELAY_LEASE);
    expect(survivors.map((s) => s.pid)).toContain(Number(holder!.owner.split('/')[1]));
    const expected = await expectedStreams(pool, prefix);
    expect(expected.size).toBe(CONVERSATIONS);
    expect(await publishedStreams(store, expected.keys())).toEqual(expected);
  }, 180_000);
});
