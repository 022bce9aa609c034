import { randomUUID } from 'node:crypto';
import { TEST_DATA_KEK } from '../support/keys.js';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { loadConfig } from '../../src/config.js';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { Feedback } from '../../src/http/openapi/answers.js';
import { rebuildFeedback } from '../../src/projections/builds/rebuild.js';
import { startService, type Service } from '../../src/service.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, JWT_SECRET, json, startHarness, type Harness } from '../support/harness.js';
import { isFeedback, isHeartbeat, openStream, type SseStream } from '../support/sse.js';

// GET /conversations/:id/feedback/stream: the feedback row the moment it is projected, whichever
// instance projected it, again when a build switch changes it; heartbeats; Last-Event-ID; bounds.

const logLines: string[] = [];
let h: Harness;
/** A second instance on the same database, as behind a load balancer. */
let other: Service;
const streams: SseStream[] = [];

beforeAll(async () => {
  const env = { FEEDBACK_STREAM_HEARTBEAT: '0.2', FEEDBACK_STREAM_MAX_PER_USER: '3', FEEDBACK_STREAM_MAX_CONNECTIONS: '6' };
  // Debug level: access logs of successful requests too, to check no token is in any of them.
  h = await startHarness({ analyzer: 'baseline@1', env, logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }) });
  const config = loadConfig({ PORT: '0', RECONCILE_INTERVAL_S: '0', DATA_KEK: TEST_DATA_KEK, ...env });
  other = await startService({ ...config, databaseUrl: h.databaseUrl, jwtSecret: JWT_SECRET, publicUrl: 'http://feedback.test' }, pino({ level: 'silent' }));
});
afterAll(async () => {
  for (const s of streams) s.close();
  await other.stop();
  await h.close();
});

async function stream(url: string, headers: Record<string, string> = {}) {
  const s = await openStream(url, headers);
  streams.push(s);
  return s;
}

/** Started, and readable at once (its row is written with its start). */
async function started(user: string) {
  return h.startConversation(user);
}

const bearer = async (user: string) => ({ authorization: `Bearer ${await h.tokenFor(user)}` });

async function transcript(c: { conversationId: string; callbackUrl: string }, turns: number) {
  expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, turns))).status).toBe(200);
}

describe('read-your-writes', () => {
  it('serves a conversation right after its 201, on the instance that created it and on another, every time', async () => {
    for (let i = 0; i < 20; i++) {
      const user = randomUUID();
      const c = await h.startConversation(user);
      const token = await bearer(user);
      const [here, there, events] = await Promise.all([
        fetch(`${h.service.url}/conversations/${c.id}`, { headers: token }),
        fetch(`${other.url}/conversations/${c.id}`, { headers: token }),
        fetch(`${other.url}/conversations/${c.id}/events`, { headers: token }),
      ]);
      expect([here.status, there.status, events.status]).toEqual([200, 200, 200]);
      expect((await json(there)).status).toBe('active');
      expect((await json(events)).events.map((e: { type: string }) => e.type)).toEqual(['ConversationStarted']);
    }
  });
});

describe('live feedback', () => {
  it('sends the row the moment it is projected, with heartbeats before it', async () => {
    const user = randomUUID();
    const c = await started(user);
    const s = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream`, await bearer(user));
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get('content-type')).toContain('text/event-stream');
    expect((await s.next()).retry).toBe('3000');
    // Live, and nothing to send yet: the first thing after the retry hint is a heartbeat.
    expect(isHeartbeat(await s.next())).toBe(true);

    await transcript(c, 6);
    const event = await s.next(isFeedback);
    expect(event.id).toMatch(/^[0-9a-f]{32}$/);
    const row = Feedback.parse(JSON.parse(event.data!));
    expect(row.conversation_id).toBe(c.id);
    expect(row.transcript).toHaveLength(6);
    // The same row GET serves.
    expect(JSON.parse(event.data!)).toEqual(await json(await h.get(`/conversations/${c.id}/feedback`, user)));
  });

  it('takes the token as ?access_token= (EventSource sends no headers), on this route only, and never logs it', async () => {
    const user = randomUUID();
    const c = await started(user);
    await transcript(c, 4);
    const token = await h.tokenFor(user);
    const s = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream?access_token=${token}`);
    expect(s.response.status).toBe(200);
    expect(Feedback.parse(JSON.parse((await s.next(isFeedback)).data!)).conversation_id).toBe(c.id);
    s.close();

    expect((await fetch(`${h.service.url}/conversations/${c.id}?access_token=${token}`)).status).toBe(401);
    expect((await fetch(`${h.service.url}/conversations/${c.id}/feedback/stream`)).status).toBe(401);
    expect((await fetch(`${h.service.url}/conversations/${c.id}/feedback/stream?access_token=nonsense`)).status).toBe(401);
    // Another user's conversation is not found, as everywhere.
    const stranger = await fetch(`${h.service.url}/conversations/${c.id}/feedback/stream?access_token=${await h.tokenFor(randomUUID())}`);
    expect(stranger.status).toBe(404);

    const logged = logLines.join('');
    expect(logged).toContain('access_token=[redacted]');
    expect(logged).not.toContain(token);
  });

  it('sends feedback projected by another instance', async () => {
    const user = randomUUID();
    const c = await started(user);
    // Watching on the other instance; the callback lands on this one.
    const s = await stream(`${other.url}/conversations/${c.id}/feedback/stream`, await bearer(user));
    expect(s.response.status).toBe(200);
    await transcript(c, 8);
    const row = Feedback.parse(JSON.parse((await s.next(isFeedback)).data!));
    expect(row.conversation_id).toBe(c.id);
    expect(row.transcript).toHaveLength(8);
  });

  it('resumes with Last-Event-ID: what the client has is not sent again, what changed is', async () => {
    const user = randomUUID();
    const c = await started(user);
    await transcript(c, 4);
    const first = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream`, await bearer(user));
    const seen = await first.next(isFeedback);
    first.close();

    const resumed = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream`, { ...(await bearer(user)), 'last-event-id': seen.id! });
    // A fuller transcript scores again: the first feedback the resumed stream sends is that one.
    await transcript(c, 10);
    const next = await resumed.next(isFeedback);
    expect(next.id).not.toBe(seen.id);
    expect(Feedback.parse(JSON.parse(next.data!)).transcript).toHaveLength(10);

    // Reconnecting with an id the client no longer matches gets the current row at once.
    const stale = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream`, { ...(await bearer(user)), 'last-event-id': seen.id! });
    expect((await stale.next(isFeedback)).id).toBe(next.id);
  });

  it('sends the row again when a build switch changes it', async () => {
    const user = randomUUID();
    const c = await started(user);
    await transcript(c, 6);
    const s = await stream(`${h.service.url}/conversations/${c.id}/feedback/stream`, await bearer(user));
    const before = Feedback.parse(JSON.parse((await s.next(isFeedback)).data!));
    expect(before.analyzer).toBe('baseline');

    const pool = new pg.Pool({ connectionString: h.databaseUrl, max: 4 });
    try {
      await rebuildFeedback(pool, findAnalyzer('coach@1')!);
    } finally {
      await pool.end();
    }
    const after = Feedback.parse(JSON.parse((await s.next(isFeedback)).data!));
    expect(after.analyzer).toBe('coach');
    expect(after.conversation_id).toBe(c.id);
  });

  it('holds a bounded number of streams, per user and per instance', async () => {
    const open = async () => Number((await fetch(`${h.service.url}/metrics`).then((r) => r.text())).match(/^tavus_feedback_feedback_streams (\d+)$/m)![1]);
    const closed = async (n: number) => {
      for (let i = 0; i < 500 && (await open()) > n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await open()).toBe(n);
    };
    // The earlier tests' streams closed, and seen closed by the service.
    for (const s of streams.splice(0)) s.close();
    await closed(0);
    const user = randomUUID();
    const c = await started(user);
    const url = `${h.service.url}/conversations/${c.id}/feedback/stream`;
    const mine = [];
    for (let i = 0; i < 3; i++) {
      const s = await stream(url, await bearer(user));
      expect(s.response.status).toBe(200);
      await s.next();
      mine.push(s);
    }
    const fourth = await fetch(url, { headers: await bearer(user) });
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('content-type')).toContain('application/problem+json');

    // The operator fills the instance (6 at most); past that, 503 with Retry-After.
    const operator = { authorization: `Bearer ${await issueServiceRoleToken(JWT_SECRET)}` };
    for (let n = 3; n < 6; n++) {
      const s = await stream(url, operator);
      expect(s.response.status).toBe(200);
      await s.next();
    }
    const full = await fetch(url, { headers: operator });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');

    // A closed stream frees its place.
    mine[0]!.close();
    await closed(5);
    const again = await stream(url, await bearer(user));
    expect(again.response.status).toBe(200);
  });
});
