import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import type { Analyzer } from '../../src/analysis/types.js';
import { exampleCallback, singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';

// GET /metrics on a real service: callbacks by type and outcome, latency by route template (never a
// token), projection lag against the history, dead letters, reconciliation, extra gauges, the token.

/** Scores like baseline but throws on one word, so a conversation can really be parked. */
const fragile: Analyzer = {
  name: 'fragile',
  version: 1,
  description: 'test analyzer: throws on transcripts that mention a poison word',
  analyze(input) {
    if (input.transcript.some((t) => t.content.includes('poison'))) throw new Error('analyzer bug');
    return findAnalyzer('baseline@1')!.analyze(input);
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    analyzer: 'fragile@1',
    lookupAnalyzer: (id) => (id === 'fragile@1' ? fragile : findAnalyzer(id)),
    // The sweeper on, but never due during the test: its counters are served all the same.
    env: { RECONCILE_INTERVAL_S: '3600' },
  });
});
afterAll(async () => {
  await h.close();
});

async function scrape(headers: Record<string, string> = {}, harness = h) {
  const response = await fetch(`${harness.service.url}/metrics`, { headers });
  const text = await response.text();
  return { response, text, samples: response.status === 200 ? parsePrometheus(text) : [] };
}

describe('GET /metrics', () => {
  it('counts callbacks by type and outcome, whatever refused them', async () => {
    const c = await h.startConversation(randomUUID());
    const path = callbackPath(c.callbackUrl);
    const joined = exampleCallback('system.replica_joined', c.conversationId);
    expect((await h.post(path, joined)).status).toBe(200);
    expect((await h.post(path, joined)).status).toBe(200);
    expect((await h.post(path, { ...joined, event_type: 'made.up.by.sender' })).status).toBe(200);
    expect((await h.post('/webhooks/tavus/not-a-token', joined)).status).toBe(401);
    expect((await h.post(path, { event_type: 'system.shutdown' })).status).toBe(400);
    expect((await h.post(path, 'x', { 'content-type': 'text/plain' })).status).toBe(415);

    const { samples, text } = await scrape();
    const callbacks = (labels: Record<string, string>) => sampleValue(samples, 'tavus_feedback_callbacks_total', labels);
    expect(callbacks({ type: 'system.replica_joined', outcome: 'appended' })).toBe(1);
    expect(callbacks({ type: 'system.replica_joined', outcome: 'duplicate' })).toBe(1);
    // What a sender names is never a label.
    expect(callbacks({ type: 'other', outcome: 'appended' })).toBe(1);
    expect(text).not.toContain('made.up.by.sender');
    expect(callbacks({ type: 'unparsed', outcome: 'token_invalid' })).toBe(1);
    expect(callbacks({ type: 'unparsed', outcome: 'invalid' })).toBe(1);
    expect(callbacks({ type: 'unparsed', outcome: 'not_json' })).toBe(1);
  });

  it('times answers by route template and never shows a callback token', async () => {
    const c = await h.startConversation(randomUUID());
    const path = callbackPath(c.callbackUrl);
    expect((await h.post(path, exampleCallback('system.replica_joined', c.conversationId))).status).toBe(200);
    expect((await fetch(`${h.service.url}/no/such/route`)).status).toBe(404);
    const { samples, text } = await scrape();
    const count = (route: string, status: string) =>
      sampleValue(samples, 'tavus_feedback_http_request_duration_seconds_count', { method: 'POST', route, status });
    expect(count('/webhooks/tavus/:token', '200')).toBeGreaterThanOrEqual(1);
    expect(count('/conversations', '201')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tavus_feedback_http_request_duration_seconds_count', { method: 'GET', route: '(unmatched)', status: '404' })).toBe(1);
    const token = path.split('/').pop()!;
    expect(text).not.toContain(token);
    expect(text).not.toContain(c.id);
    // The process's own metrics come along.
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('reports how far each live projection trails the history, and zero once caught up', async () => {
    const lag = (samples: ReturnType<typeof parsePrometheus>, unit: 'events' | 'seconds', projection: string) =>
      sampleValue(samples, `tavus_feedback_projection_lag_${unit}`, { projection });
    await h.service.runner.drain();
    let { samples } = await scrape();
    expect(lag(samples, 'events', 'conversations')).toBe(0);
    expect(lag(samples, 'events', 'feedback:fragile@1')).toBe(0);
    expect(lag(samples, 'seconds', 'conversations')).toBe(0);

    // Holding the checkpoints' rows keeps the runner from applying anything (it skips locked ones).
    const holder = await h.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM projection_checkpoints WHERE name IN ('conversations', 'feedback:fragile@1') FOR UPDATE");
      const c = await h.startConversation(randomUUID());
      const path = callbackPath(c.callbackUrl);
      expect((await h.post(path, exampleCallback('system.replica_joined', c.conversationId))).status).toBe(200);
      expect((await h.post(path, exampleCallback('system.shutdown', c.conversationId))).status).toBe(200);
      ({ samples } = await scrape());
      // The start, the join and the shutdown at least.
      expect(lag(samples, 'events', 'conversations')).toBeGreaterThanOrEqual(3);
      expect(lag(samples, 'events', 'feedback:fragile@1')).toBeGreaterThanOrEqual(3);
      expect(lag(samples, 'seconds', 'conversations')).toBeGreaterThan(0);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    await h.service.runner.drain();
    ({ samples } = await scrape());
    expect(lag(samples, 'events', 'conversations')).toBe(0);
    expect(lag(samples, 'seconds', 'feedback:fragile@1')).toBe(0);
  });

  it('counts parked conversations', async () => {
    const before = sampleValue((await scrape()).samples, 'tavus_feedback_dead_letters');
    const c = await h.startConversation(randomUUID());
    const body = singleBodyCallback(c.conversationId, 4);
    (body.transcript as { content: string }[])[0]!.content = 'a poison word';
    expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
    await h.service.runner.drain();
    expect(sampleValue((await scrape()).samples, 'tavus_feedback_dead_letters')).toBe(before! + 1);
  });

  it("serves reconciliation's counters as the sweeper keeps them", async () => {
    await h.service.reconcile!.runOnce();
    const { samples } = await scrape();
    const kept = h.service.reconcile!.metrics();
    expect(kept.passes).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tavus_feedback_reconcile_passes_total')).toBe(kept.passes);
    expect(sampleValue(samples, 'tavus_feedback_reconcile_requests_total')).toBe(kept.requests);
    expect(sampleValue(samples, 'tavus_feedback_reconcile_failures_total', { kind: 'not_found' })).toBe(kept.failed.not_found);
    expect(sampleValue(samples, 'tavus_feedback_reconcile_results_total', { result: 'complete' })).toBe(kept.results.complete);
  });

  it('takes gauges from other parts of the service, and one failing read spoils nothing else', async () => {
    let relayLag = 7;
    h.service.metrics.addGauge({ name: 'tavus_feedback_relay_lag_events', help: 'test: events the relay has not published', read: () => relayLag });
    h.service.metrics.addGauge({
      name: 'tavus_feedback_test_broken',
      help: 'test: a source that fails',
      read: () => {
        throw new Error('source down');
      },
    });
    const first = await scrape();
    let samples = first.samples;
    expect(first.response.status).toBe(200);
    expect(sampleValue(samples, 'tavus_feedback_relay_lag_events')).toBe(7);
    expect(sampleValue(samples, 'tavus_feedback_test_broken')).toBeNaN();
    expect(sampleValue(samples, 'tavus_feedback_projection_lag_events', { projection: 'conversations' })).toBeDefined();
    relayLag = 0;
    ({ samples } = await scrape());
    expect(sampleValue(samples, 'tavus_feedback_relay_lag_events')).toBe(0);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let locked: Harness;
  beforeAll(async () => {
    locked = await startHarness({ env: { METRICS_TOKEN: 'scrape-token-long-enough' } });
  });
  afterAll(async () => {
    await locked.close();
  });

  it('answers only a scraper that sends the token', async () => {
    const none = await scrape({}, locked);
    expect(none.response.status).toBe(401);
    expect(none.response.headers.get('content-type')).toContain('application/problem+json');
    expect((await scrape({ authorization: 'Bearer wrong-token-of-some-length' }, locked)).response.status).toBe(401);
    const ok = await scrape({ authorization: 'Bearer scrape-token-long-enough' }, locked);
    expect(ok.response.status).toBe(200);
    expect(ok.response.headers.get('content-type')).toContain('text/plain');
    expect(sampleValue(ok.samples, 'tavus_feedback_dead_letters')).toBe(0);
  });
});
