import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUp } from '../../src/reactors/reconcile/catchUp.js';
import { kurrentStreams, type StreamStore } from '../../src/reactors/relay/kurrentStreams.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';
import { startKurrentDb, type KurrentDbTarget } from '../support/kurrentDb.js';
import { startLlmStandIn, type LlmStandIn } from '../support/llmStandIn.js';
import { isFeedback, openStream } from '../support/sse.js';

// Nobody else's transaction holds feedback back. The service shares its Postgres with other work:
// while a writing transaction runs in another database of the server, another app's transaction
// writes in ours, and a session sits idle in a transaction, every reader still delivers in about
// its quiet-server time: the projections, the llm@1 reactor (llm@1 is live, so the feedback needs
// its answer), the live stream, the relay to KurrentDB, reconciliation's catch-up. Under the old
// rule (read below the server's oldest running transaction) each of these waited for all three.

let h: Harness;
let llm: LlmStandIn;
let kurrent: KurrentDbTarget;
let store: StreamStore;
const neighbours: pg.Client[] = [];
let neighbourDatabase: string;

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  neighbours.push(c);
  return c;
}

beforeAll(async () => {
  llm = await startLlmStandIn();
  kurrent = await startKurrentDb();
  h = await startHarness({
    analyzer: 'llm@1',
    env: { LLM_MODEL: 'stand-in-model', LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: llm.apiKey, LLM_REQUESTS_PER_SECOND: '1000', KURRENTDB_URL: kurrent.url },
  });
  store = kurrentStreams(kurrent.url);

  // Another database of the same server, with a transaction that has written and stays open.
  neighbourDatabase = `${new URL(h.databaseUrl).pathname.slice(1)}_neighbour`;
  await h.db.query(`CREATE DATABASE ${neighbourDatabase}`);
  const elsewhere = new URL(h.databaseUrl);
  elsewhere.pathname = `/${neighbourDatabase}`;
  const other = await client(elsewhere.toString());
  await other.query('BEGIN');
  await other.query('CREATE TABLE ledger (entry int)');
  await other.query('INSERT INTO ledger VALUES (1)');
  // Another app in our database, writing in its own table.
  const app = await client(h.databaseUrl);
  await app.query('CREATE TABLE other_app_rows (x int)');
  await app.query('BEGIN');
  await app.query('INSERT INTO other_app_rows VALUES (1)');
  // A session left idle in a transaction that holds an id.
  const idle = await client(h.databaseUrl);
  await idle.query('BEGIN');
  await idle.query('SELECT pg_current_xact_id()');
});

afterAll(async () => {
  for (const c of neighbours) await c.end().catch(() => {});
  await store?.close();
  await h?.db.query(`DROP DATABASE IF EXISTS ${neighbourDatabase} WITH (FORCE)`);
  await h?.close();
  await llm?.close();
  await kurrent?.close();
});

async function within<T>(ms: number, look: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await look();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('with three foreign transactions open', () => {
  it('they are running, and each one holds back the server-wide horizon the old readers waited below', async () => {
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state IN ('idle in transaction', 'active') AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('a callback becomes live feedback (projections, llm@1 answer, the stream), reaches KurrentDB, and is read by reconciliation', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const s = await openStream(`${h.service.url}/conversations/${c.id}/feedback/stream`, { authorization: `Bearer ${await h.tokenFor(user)}` });
    try {
      const sent = Date.now();
      expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 6))).status).toBe(200);
      const feedback = await s.next(isFeedback, 5_000);
      expect(JSON.parse(feedback.data!)).toMatchObject({ conversation_id: c.id, analyzer: 'llm', analyzer_version: 1 });
      // Quiet, this takes about 0.1 s here; any wait on the foreign transactions would last the whole test.
      expect(Date.now() - sent).toBeLessThan(3_000);

      const streamId = `conversation-${c.conversationId}`;
      const events = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId]);
      const published = await within(3_000, async () => {
        const ids = await store.readIds(streamId);
        return ids.length === events.rows[0]!.n ? ids : undefined;
      });
      expect(published).toHaveLength(events.rows[0]!.n);

      await catchUp(h.db);
      const { rows } = await h.db.query('SELECT ended_at, has_transcript FROM reconcile_conversations WHERE conversation_id = $1', [c.id]);
      expect(rows[0]).toMatchObject({ has_transcript: true });
      expect(rows[0].ended_at).not.toBeNull();
    } finally {
      s.close();
    }
  });
});
