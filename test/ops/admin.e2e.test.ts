import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { DeadLetters, ProjectionLag, RetryRequested } from '../../src/http/openapi/answers.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { JWT_SECRET, json, startHarness, type Harness } from '../support/harness.js';

// /admin: the service_role key only; projection and relay lag, dead letters as the CLI shows them;
// retry asks the runner.

let h: Harness;
let operator: Record<string, string>;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'baseline@1' });
  operator = { authorization: `Bearer ${await issueServiceRoleToken(JWT_SECRET)}`, 'content-type': 'application/json' };
});
afterAll(async () => {
  await h.close();
});

describe('/admin', () => {
  it('refuses users (403) and the unauthenticated (401)', async () => {
    expect((await h.get('/admin/lag', randomUUID())).status).toBe(403);
    expect((await fetch(`${h.service.url}/admin/deadletters`)).status).toBe(401);
    expect((await h.post('/admin/deadletters/retry', {}, { authorization: `Bearer ${await h.tokenFor(randomUUID())}` })).status).toBe(403);
  });

  it('shows lag and dead letters, and asks for retries', async () => {
    await h.service.runner.drain();
    const lag = ProjectionLag.parse(await json(await fetch(`${h.service.url}/admin/lag`, { headers: operator })));
    expect(lag.projections.map((p) => p.name).sort()).toEqual(['conversations', 'feedback:baseline@1']);
    // No KURRENTDB_URL: said so, rather than a count that only grows.
    expect(lag.relay).toEqual({ enabled: false });
    expect(DeadLetters.parse(await json(await fetch(`${h.service.url}/admin/deadletters`, { headers: operator }))).deadLetters).toEqual([]);

    // A parked conversation, as the runner parks one.
    await h.db.query(`INSERT INTO dead_letters (projection, stream_id, error, failed_position) VALUES ('conversations', 'conversation-x1', 'boom', 1)`);
    const listed = DeadLetters.parse(await json(await fetch(`${h.service.url}/admin/deadletters`, { headers: operator })));
    expect(listed.deadLetters).toMatchObject([{ streamId: 'conversation-x1', error: 'boom', retryRequested: false }]);
    const retry = await fetch(`${h.service.url}/admin/deadletters/retry`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ streamId: 'conversation-x1' }),
    });
    expect(retry.status).toBe(202);
    expect(RetryRequested.parse(await json(retry)).requested).toBe(1);
    // The runner takes it (a stream without events is simply unparked).
    await h.service.runner.drain();
    expect(DeadLetters.parse(await json(await fetch(`${h.service.url}/admin/deadletters`, { headers: operator }))).deadLetters).toEqual([]);

    const unknown = await fetch(`${h.service.url}/admin/deadletters/retry`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ streamId: 'conversation-none' }),
    });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${h.service.url}/admin/deadletters/retry`, { method: 'POST', headers: operator, body: JSON.stringify({ stream: 1 }) });
    expect(bad.status).toBe(400);
  });
});

describe('/admin/lag with the relay configured', () => {
  // A KurrentDB nobody listens on: the relay keeps failing its first batch, so its lag is the whole
  // history, an exact number to check (and one that cannot pass by being 0).
  let r: Harness;
  beforeAll(async () => {
    r = await startHarness({ webhookAuth: 'none', env: { KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' } });
  });
  afterAll(async () => {
    await r.close();
  });

  it('answers the events the relay has not published and the age of the oldest', async () => {
    const c = await r.startConversation(randomUUID());
    expect((await r.post('/webhooks/tavus', singleBodyCallback(c.conversationId))).status).toBe(200);
    const { rows } = await r.db.query<{ n: number; oldest: Date }>('SELECT count(*)::int AS n, min(recorded_at) AS oldest FROM events');
    expect(rows[0]!.n).toBeGreaterThan(1);
    const lag = ProjectionLag.parse(await json(await fetch(`${r.service.url}/admin/lag`, { headers: operator })));
    if (!lag.relay.enabled) throw new Error('the relay should be reported as configured');
    expect(lag.relay.events).toBe(rows[0]!.n);
    expect(lag.relay.seconds).toBeGreaterThan(0);
    expect(lag.relay.seconds).toBeLessThanOrEqual((Date.now() - rows[0]!.oldest.getTime()) / 1000 + 1);
  });

  it("counts the relay's failed batches on /metrics, and nothing published", async () => {
    const scrape = async () => parsePrometheus(await (await fetch(`${r.service.url}/metrics`)).text());
    let samples = await scrape();
    // The relay tries its first batch at once and again after 0.5 s, 1 s, ...: wait for a failure to be
    // counted (a refused connection fails at once; an append without an answer only after 10 s).
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && !(sampleValue(samples, 'tavus_feedback_relay_failed_batches_total')! >= 1);) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      samples = await scrape();
    }
    expect(sampleValue(samples, 'tavus_feedback_relay_failed_batches_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tavus_feedback_relay_published_events_total')).toBe(0);
    expect(sampleValue(samples, 'tavus_feedback_relay_parked_streams_total')).toBe(0);
    const { rows } = await r.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(sampleValue(samples, 'tavus_feedback_relay_lag_events')).toBe(rows[0]!.n);
  });
});
