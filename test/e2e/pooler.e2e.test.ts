import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { loadConfig } from '../../src/config.js';
import { createPool } from '../../src/db/pool.js';
import { DatabaseSetupError } from '../../src/db/sessions.js';
import { rebuildFeedback } from '../../src/projections/builds/rebuild.js';
import { kurrentStreams } from '../../src/reactors/relay/kurrentStreams.js';
import { startService, type Service } from '../../src/service.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, json, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { startKurrentDb, type KurrentDbTarget } from '../support/kurrentDb.js';
import { pgbouncerMissing, startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';
import { TEST_DATA_KEK } from '../support/keys.js';
import { isFeedback, openStream } from '../support/sse.js';

// Behind a transaction pooler (a real PgBouncer, pool_mode=transaction, as Supabase's port 6543):
// with DATABASE_DIRECT_URL beside it, everything works (feedback, the live push across instances,
// read-your-writes, the relay under its lease, a rebuild); with the pooled URL alone the service
// refuses to start and says what to set, rather than run with a silent live push.

const missing = pgbouncerMissing();
if (missing) console.warn(`skipping the transaction-pooler tests: ${missing}`);

describe.skipIf(missing !== undefined)('behind PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  let kurrent: KurrentDbTarget;
  let h: Harness;
  /** A second instance, through the pooler too. */
  let other: Service;

  beforeAll(async () => {
    bouncer = await startPgBouncer(inject('databaseServerUrl'));
    kurrent = await startKurrentDb();
    h = await startHarness({ pooler: bouncer, env: { KURRENTDB_URL: kurrent.url } });
    const config = loadConfig({ PORT: '0', RECONCILE_INTERVAL_S: '0', DATA_KEK: TEST_DATA_KEK });
    other = await startService(
      { ...config, databaseUrl: bouncer.via(h.databaseUrl), databaseDirectUrl: h.databaseUrl, jwtSecret: JWT_SECRET, publicUrl: 'http://feedback.test' },
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await other?.stop();
    await h?.close();
    await kurrent?.close();
    await bouncer?.stop();
  });

  it('refuses to start on the pooled URL alone, naming DATABASE_DIRECT_URL', async () => {
    const config = loadConfig({ PORT: '0', RECONCILE_INTERVAL_S: '0', DATA_KEK: TEST_DATA_KEK });
    const attempt = startService(
      { ...config, databaseUrl: bouncer.via(h.databaseUrl), jwtSecret: JWT_SECRET, publicUrl: 'http://x' },
      pino({ level: 'silent' }),
    );
    await expect(attempt).rejects.toThrow(DatabaseSetupError);
    await expect(attempt).rejects.toThrow(/transaction pooler.*DATABASE_DIRECT_URL/s);
  });

  it('serves what a user just created at once, on the other instance too, and pushes its feedback live across instances', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const token = { authorization: `Bearer ${await h.tokenFor(user)}` };
    // Read-your-writes: no wait for a projection, and on another instance.
    const read = await fetch(`${other.url}/conversations/${c.id}`, { headers: token });
    expect(read.status).toBe(200);
    expect((await fetch(`${other.url}/conversations/${c.id}/events`, { headers: token })).status).toBe(200);

    // The live push rides on LISTEN, which the pooler cannot keep: here it is on the direct URL.
    const s = await openStream(`${other.url}/conversations/${c.id}/feedback/stream`, token);
    try {
      expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 6))).status).toBe(200);
      const feedback = await s.next(isFeedback, 5_000);
      expect(JSON.parse(feedback.data!)).toMatchObject({ conversation_id: c.id });
    } finally {
      s.close();
    }
    // The callback is in the conversation's events as soon as it was answered 200.
    const events = await json(await fetch(`${other.url}/conversations/${c.id}/events`, { headers: token }));
    expect(events.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['ConversationStarted', 'ConversationEnded', 'TranscriptReceived']),
    );
  });

  it('relays to KurrentDB under its lease, through the pooler', async () => {
    const c = await h.startConversation(randomUUID());
    expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 4))).status).toBe(200);
    const streamId = `conversation-${c.conversationId}`;
    const inHistory = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId])).rows[0]!.n;
    const store = kurrentStreams(kurrent.url);
    try {
      const deadline = Date.now() + 10_000;
      let ids: string[] = [];
      while (Date.now() < deadline && ids.length < inHistory) {
        ids = await store.readIds(streamId);
        if (ids.length < inHistory) await new Promise((r) => setTimeout(r, 50));
      }
      expect(ids).toHaveLength(inHistory);
    } finally {
      await store.close();
    }
  });

  it('rebuilds feedback through the pooler (its lock is a lease row, not a session lock)', async () => {
    const pooled = createPool(bouncer.via(h.databaseUrl), { pooled: true });
    try {
      // The service's own projections run registry analyzers: build one of those that is not live.
      const live = (await h.db.query<{ analyzer: string }>('SELECT analyzer FROM feedback_live')).rows[0]!.analyzer;
      const target = live === 'coach@2' ? 'coach@1' : 'coach@2';
      const summary = await rebuildFeedback(pooled, findAnalyzer(target)!);
      expect(summary.scored).toBeGreaterThan(0);
      const { rows } = await h.db.query('SELECT analyzer FROM feedback_live');
      expect(rows[0].analyzer).toBe(target);
    } finally {
      await pooled.end();
    }
  });
});
