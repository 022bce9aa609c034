import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { dropFeedback, rebuildFeedback, useFeedback } from '../../src/projections/builds/rebuild.js';
import { singleBodyCallback, wildCallback } from '../support/callbacks.js';
import { callbackPath, json, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { startKurrentDbStandIn, type KurrentDbStandIn } from '../support/kurrentDbStandIn/server.js';

// The right to erasure, end to end. Unique markers go into every personal field a conversation's
// callbacks and start can carry; the owner reads them back before erasure. After it, none of them is
// anywhere: not in a dump of the database (history, bodies, read models), not in what the service
// logged (at debug), not in what the relay published to KurrentDB. The other conversations (the
// same user's, another user's) keep everything, and a rebuild scores them as before.

const run = promisify(execFile);
const mark = (field: string) => `MARK${field}${randomBytes(6).toString('hex')}`;
const logged: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logged.push(chunk.toString());
    done();
  },
});

let h: Harness;
let kurrent: KurrentDbStandIn;
let operator: string;

beforeAll(async () => {
  kurrent = await startKurrentDbStandIn();
  h = await startHarness({ analyzer: 'baseline@1', env: { KURRENTDB_URL: kurrent.url }, logger: pino({ level: 'debug' }, logSink) });
  operator = await issueServiceRoleToken(JWT_SECRET);
});

afterAll(async () => {
  await h?.close();
  await kurrent?.close();
});

interface Planted {
  id: string;
  conversationId: string;
  user: string;
  callbackPath: string;
  markers: string[];
}

/** A conversation whose every personal field holds a marker of its own. */
async function plantConversation(user: string): Promise<Planted> {
  const m = {
    name: mark('name'),
    said: mark('said'),
    participant: mark('participant'),
    recordingUrl: mark('recordingurl'),
    perception: mark('perception'),
    objective: mark('objective'),
    guardrail: mark('guardrail'),
    unknown: mark('unknown'),
    recordingKey: mark('recordingkey'),
  };
  const c = await h.startConversation(user, { conversationName: m.name });
  const path = callbackPath(c.callbackUrl);
  const body = singleBodyCallback(c.conversationId, 6);
  (body.transcript as { content: string }[])[0]!.content = `I think ${m.said} went badly`;
  body.participant_name = m.participant;
  body.recording_url = `https://recordings.example/${m.recordingUrl}.mp4`;
  const posts = [
    body,
    wildCallback('application.perception_analysis', c.conversationId, { analysis: `The person ${m.perception} looked tense` }),
    wildCallback('conversation.objective.completed', c.conversationId, { objective_name: 'ask', output_variables: { said: m.objective } }),
    wildCallback('conversation.guardrail.triggered', c.conversationId, { guardrail_name: 'care', reason: `asked about ${m.guardrail}` }),
    wildCallback('application.something_new', c.conversationId, { note: m.unknown }),
    wildCallback('application.recording_ready', c.conversationId, { bucket_name: 'tavus-bucket', s3_key: `${m.recordingKey}.mp4` }),
  ];
  for (const p of posts) expect((await h.post(path, p)).status).toBe(200);
  return { id: c.id, conversationId: c.conversationId, user, callbackPath: path, markers: Object.values(m) };
}

async function until<T>(look: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const feedbackOf = async (p: Planted) => {
  const r = await h.get(`/conversations/${p.id}/feedback`, p.user);
  return r.status === 200 ? ((await r.json()) as { score: number }) : undefined;
};

/** What the relay published, as text: every event's data and metadata in the stand-in's store. */
function published(): string {
  return [...kurrent.streams.values()].flatMap((events) => events.map((e) => e.data.toString() + e.customMetadata.toString())).join('\n');
}

/**
 * Every row of the database as text: pg_dump --data-only, or where this machine's pg_dump cannot
 * dump the server (none installed, or older than the embedded server), every table read whole.
 */
async function databaseDump(): Promise<string> {
  try {
    return (await run('pg_dump', ['--data-only', h.databaseUrl], { maxBuffer: 256 * 2 ** 20 })).stdout;
  } catch {
    const { rows: tables } = await h.db.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
    const parts: string[] = [];
    for (const t of tables)
      parts.push((await h.db.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\n') AS text FROM ${t.name} t`)).rows[0]!.text ?? '');
    return parts.join('\n');
  }
}

async function publishedAll(): Promise<void> {
  const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  await until(async () => ([...kurrent.streams.values()].reduce((n, s) => n + s.length, 0) >= rows[0]!.n ? true : undefined));
}

describe('erasing a conversation', () => {
  let erased: Planted;
  let sameUser: Planted;
  let otherUser: Planted;
  const before = new Map<string, number>();
  let coachBefore: Map<string, number>;
  const coachScores = async () =>
    new Map(
      (await h.db.query<{ conversation_id: string; score: number }>(`SELECT conversation_id, score FROM feedback_scores WHERE analyzer = 'coach@1'`)).rows.map(
        (r) => [r.conversation_id, r.score],
      ),
    );

  beforeAll(async () => {
    const user = randomUUID();
    erased = await plantConversation(user);
    sameUser = await plantConversation(user);
    otherUser = await plantConversation(randomUUID());
    for (const p of [erased, sameUser, otherUser]) before.set(p.id, (await until(() => feedbackOf(p))).score);
    // Another version built before the erasure, to build again after it.
    await rebuildFeedback(h.db, findAnalyzer('coach@1')!);
    coachBefore = await coachScores();
    await useFeedback(h.db, findAnalyzer('baseline@1')!);
    await publishedAll();
  });

  it('before: the owner reads every marker back through the API, and the history holds none of them in the clear', async () => {
    const events = JSON.stringify(await json(await h.get(`/conversations/${erased.id}/events`, erased.user)));
    for (const m of erased.markers) expect(events).toContain(m);
    const dump = await databaseDump();
    // The read models hold them (plain, fast, purged on erasure); the history and the bodies only as ciphertext.
    const { rows } = await h.db.query<{ text: string }>(
      `SELECT string_agg(data::text || metadata::text || idempotency_key, ' ') AS text FROM events WHERE stream_id = $1`,
      [`conversation-${erased.conversationId}`],
    );
    const bodies = await h.db.query<{ text: string }>(`SELECT string_agg(body, ' ') AS text FROM callbacks WHERE stream_id = $1`, [
      `conversation-${erased.conversationId}`,
    ]);
    for (const m of erased.markers) {
      expect(rows[0]!.text).not.toContain(m);
      expect(bodies.rows[0]!.text).not.toContain(m);
      expect(published()).not.toContain(m);
    }
    expect(dump).toContain(erased.markers[1]);
  });

  it('another user cannot erase it (404, nothing erased)', async () => {
    const stranger = await h.tokenFor(randomUUID());
    const r = await fetch(`${h.service.url}/conversations/${erased.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${stranger}` } });
    expect(r.status).toBe(404);
    expect((await h.get(`/conversations/${erased.id}`, erased.user)).status).toBe(200);
  });

  it('the owner erases it: 204, then 404 everywhere and gone from the listing', async () => {
    const r = await fetch(`${h.service.url}/conversations/${erased.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await h.tokenFor(erased.user)}` },
    });
    expect(r.status).toBe(204);
    for (const path of ['', '/feedback', '/events', '/recording']) expect((await h.get(`/conversations/${erased.id}${path}`, erased.user)).status).toBe(404);
    const list = await json(await h.get('/conversations', erased.user));
    expect(list.conversations.map((c: { id: string }) => c.id)).toEqual([sameUser.id]);
  });

  it('leaves no marker in the database, the log or KurrentDB; a late callback stores nothing readable', async () => {
    // A late callback (Tavus retrying) is answered 200 so that it stops, and stores nothing.
    const late = singleBodyCallback(erased.conversationId, 4);
    const lateMark = mark('late');
    late.participant_name = lateMark;
    const count = async () => (await h.db.query<{ n: number }>('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM callbacks) AS n')).rows[0]!.n;
    const stored = await count();
    expect((await h.post(erased.callbackPath, late)).status).toBe(200);
    expect(await count()).toBe(stored);

    await publishedAll();
    // Let the projection thread replay the tombstone too.
    await new Promise((r) => setTimeout(r, 700));
    const dump = await databaseDump();
    const log = logged.join('');
    const relayed = published();
    for (const m of [...erased.markers, lateMark]) {
      expect(dump, `${m} in pg_dump`).not.toContain(m);
      expect(log, `${m} in the log`).not.toContain(m);
      expect(relayed, `${m} in KurrentDB`).not.toContain(m);
    }
    // The others' markers are all still readable by their owners.
    for (const p of [sameUser, otherUser]) {
      const events = JSON.stringify(await json(await h.get(`/conversations/${p.id}/events`, p.user)));
      for (const m of p.markers) expect(events).toContain(m);
    }
  });

  it("the operator's audit shows the tombstone and every event's type and time, personal fields marked erased", async () => {
    const r = await fetch(`${h.service.url}/conversations/${erased.id}/events`, { headers: { authorization: `Bearer ${operator}` } });
    expect(r.status).toBe(200);
    const trail = await json(r);
    expect(trail.erasedBy).toBe('owner');
    const types = trail.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ConversationStarted', 'TranscriptReceived', 'PerceptionAnalysisReceived', 'ConversationErased']));
    const transcript = trail.events.find((e: { type: string }) => e.type === 'TranscriptReceived');
    expect(transcript).toMatchObject({ erased: true, data: { erased: true, systemPromptRemoved: false } });
    expect(transcript.data.turns).toBeUndefined();
    expect(trail.events.find((e: { type: string }) => e.type === 'ConversationErased')).toMatchObject({
      erased: false,
      data: { by: 'owner', conversationId: erased.id },
    });
    expect(trail.callbacks.length).toBeGreaterThan(0);
    for (const c of trail.callbacks) expect(c.body).toBeNull();
    expect(trail.feedback).toEqual([]);
  });

  it('erasing again is harmless, by the CLI as by the operator', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'erase', '--conversation', erased.id], {
      env: { ...process.env, DATABASE_URL: h.databaseUrl },
    });
    expect(stdout).toContain('erased already');
    const r = await fetch(`${h.service.url}/conversations/${erased.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${operator}` } });
    expect(r.status).toBe(404);
    const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'ConversationErased'`);
    expect(rows[0]!.n).toBe(1);
  });

  it('the others keep their feedback, and a rebuild after erasure gives them the same scores', async () => {
    for (const p of [sameUser, otherUser]) expect((await feedbackOf(p))?.score).toBe(before.get(p.id));
    expect(await coachScores()).toEqual(new Map([sameUser, otherUser].map((p) => [p.id, coachBefore.get(p.id)])));
    await dropFeedback(h.db, 'coach@1');
    await rebuildFeedback(h.db, findAnalyzer('coach@1')!);
    await useFeedback(h.db, findAnalyzer('baseline@1')!);
    expect(await coachScores()).toEqual(new Map([sameUser, otherUser].map((p) => [p.id, coachBefore.get(p.id)])));
  });
});

describe('erasing every conversation of a user, from the CLI', () => {
  it('erases them all, says how many, and leaves other users alone', async () => {
    const user = randomUUID();
    const [a, b] = [await plantConversation(user), await plantConversation(user)];
    const other = await plantConversation(randomUUID());
    for (const p of [a, b, other]) await until(() => feedbackOf(p));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'erase', '--user', user], {
      env: { ...process.env, DATABASE_URL: h.databaseUrl },
    });
    expect(stdout).toContain('2 conversations of user');
    for (const p of [a, b]) expect((await h.get(`/conversations/${p.id}`, p.user)).status).toBe(404);
    expect(await feedbackOf(other)).toBeDefined();
    const exported = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'export', '--user', other.user], {
      env: { ...process.env, DATABASE_URL: h.databaseUrl },
    });
    const lines = exported.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    for (const m of other.markers) expect(lines[0]).toContain(m);
  });
});
