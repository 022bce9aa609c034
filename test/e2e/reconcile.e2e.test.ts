import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUp } from '../../src/reactors/reconcile/catchUp.js';
import type { PassReport } from '../../src/reactors/reconcile/pass.js';
import { exampleCallback, EXAMPLE_TYPES } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { allEvents, eventCounts, ONE_OF_EACH, testSweeper } from '../support/reconcile.js';

// Callbacks lost, then recovered from Tavus's verbose GET (the stand-in's), through the same
// callback command, over real HTTP and a real Postgres. Each test leaves its conversations complete
// or unknown to Tavus, so the next test's passes see only their own.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function outcomeOf(report: PassReport | null, conversationId: string) {
  return report?.conversations.find((c) => c.conversationId === conversationId)?.outcome;
}

async function row(conversationId: string) {
  const { rows } = await h.db.query(
    'SELECT attempts, last_result, last_error, next_attempt_at, complete, recovered_events FROM reconcile_conversations WHERE conversation_id = $1',
    [conversationId],
  );
  return rows[0];
}

describe('reconciliation from the verbose GET', () => {
  it('gives a conversation whose callbacks never came its feedback, recorded as coming from reconciliation', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user);
    h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
    const { sweeper, run, at, logs } = testSweeper(h);

    at(3_800);
    expect(outcomeOf(await run(), started.id)).toBeUndefined();
    expect(h.tavus.getsOf(started.conversationId)).toHaveLength(0);

    at(3_901);
    const report = await run();
    expect(outcomeOf(report, started.id)).toMatchObject({ result: 'complete', recovered: [...EXAMPLE_TYPES], refused: [], unreadable: [] });
    expect(await eventCounts(h, started.conversationId)).toEqual(ONE_OF_EACH);

    await h.service.runner.drain();
    const conversation = await json(await h.get(`/conversations/${started.id}`, user));
    expect(conversation).toMatchObject({ status: 'completed', ended_at: '2025-07-11T06:48:37.564Z' });
    const feedback = await h.get(`/conversations/${started.id}/feedback`, user);
    expect(feedback.status).toBe(200);
    expect((await json(feedback)).transcript).toHaveLength(10);

    const trail = await json(await h.get(`/conversations/${started.id}/events`, user));
    const recorded = trail.events.filter((e: { type: string }) => e.type !== 'ConversationStarted');
    expect(recorded.map((e: { metadata: { source: string } }) => e.metadata.source)).toEqual(Array(5).fill('reconcile'));
    expect(trail.callbacks.map((c: { source: string }) => c.source)).toEqual(Array(5).fill('reconcile'));
    expect(trail.callbacks.every((c: { duplicate: boolean }) => !c.duplicate)).toBe(true);

    // The GET echoes our callback URL, token included; none of it is kept or logged, nor the API key.
    const token = callbackPath(started.callbackUrl).split('/').at(-1)!;
    const stored = await h.db.query<{ text: string }>(
      `SELECT body AS text FROM callbacks WHERE stream_id = $1 UNION ALL SELECT data::text || metadata::text FROM events WHERE stream_id = $1
       UNION ALL SELECT coalesce(last_error, '') FROM reconcile_conversations`,
      [`conversation-${started.conversationId}`],
    );
    for (const { text } of stored.rows) expect(text).not.toContain(token);
    expect(trail.callbacks[0].body.webhook_url).toBe('(redacted)');
    expect(logs.join('')).not.toContain(token);
    expect(logs.join('')).not.toContain(h.tavus.apiKey);
    expect(logs.join('')).toContain('reconciliation pass');

    expect(sweeper.metrics()).toMatchObject({ requests: 1, pulled: 1, recoveredEvents: 5, results: { complete: 1, active: 0, incomplete: 0 } });
    expect(await row(started.id)).toMatchObject({ complete: true, last_result: 'complete', attempts: 0, recovered_events: 5 });

    // Late callbacks, after reconciliation: the same facts, so nothing is appended and the feedback stays.
    const before = await h.db.query('SELECT score, analysis, updated_at FROM feedback_sessions WHERE conversation_id = $1', [started.id]);
    for (const type of EXAMPLE_TYPES) {
      const late = await h.post(callbackPath(started.callbackUrl), exampleCallback(type, started.conversationId));
      expect(await json(late), type).toEqual({ received: true, duplicate: true, eventsAppended: 0 });
    }
    await h.service.runner.drain();
    expect(await eventCounts(h, started.conversationId)).toEqual(ONE_OF_EACH);
    const after = await h.db.query('SELECT score, analysis, updated_at FROM feedback_sessions WHERE conversation_id = $1', [started.id]);
    expect(after.rows).toEqual(before.rows);

    // Complete: never fetched again.
    at(4 * 3600);
    expect(outcomeOf(await run(), started.id)).toBeUndefined();
    expect(h.tavus.getsOf(started.conversationId)).toHaveLength(1);
  });

  it('fetches the transcript of a conversation whose shutdown came, five minutes after the end', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user);
    const shutdown = exampleCallback('system.shutdown', started.conversationId);
    shutdown.timestamp = new Date().toISOString();
    expect((await h.post(callbackPath(started.callbackUrl), shutdown)).status).toBe(200);
    h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
    const { run, at } = testSweeper(h);

    at(290);
    expect(outcomeOf(await run(), started.id)).toBeUndefined();
    at(310);
    const outcome = outcomeOf(await run(), started.id);
    expect(outcome).toMatchObject({ result: 'complete' });
    // Everything but the shutdown, which the callback had brought.
    expect(outcome && 'recovered' in outcome && outcome.recovered).toEqual(EXAMPLE_TYPES.filter((t) => t !== 'system.shutdown'));
    expect(await eventCounts(h, started.conversationId)).toEqual(ONE_OF_EACH);
    await h.service.runner.drain();
    expect((await h.get(`/conversations/${started.id}/feedback`, user)).status).toBe(200);
  });

  it('asks again later, with backoff, about a conversation Tavus reports active, and one Tavus fails on', async () => {
    const user = randomUUID();
    const active = await h.startConversation(user);
    const failing = await h.startConversation(user);
    h.tavus.setConversation(failing.conversationId, { status: 'ended', events: allEvents(failing.conversationId) });
    h.tavus.failNextGet(failing.conversationId, { status: 500, body: { error: 'Internal server error' } });
    h.tavus.failNextGet(failing.conversationId, { hang: true });
    const { sweeper, run, at, now } = testSweeper(h, {}, 300);

    at(3_901);
    let report = await run();
    expect(outcomeOf(report, active.id)).toMatchObject({ result: 'active', recovered: [] });
    expect(outcomeOf(report, failing.id)).toMatchObject({ result: 'failed', kind: 'failing' });
    expect(await row(failing.id)).toMatchObject({ attempts: 1, last_result: 'failed', last_error: expect.stringMatching(/^failing: Tavus answered 500/) });
    expect(await row(active.id)).toMatchObject({ attempts: 1, last_result: 'active', next_attempt_at: new Date(now().getTime() + 60_000) });

    // A minute of backoff after the first answer: not asked before, asked after.
    at(3_901 + 59);
    expect((await run())?.conversations).toEqual([]);
    at(3_901 + 61);
    report = await run();
    expect(outcomeOf(report, failing.id)).toMatchObject({ result: 'failed', kind: 'timeout' });
    expect(outcomeOf(report, active.id)).toMatchObject({ result: 'active' });

    // Two minutes after the second.
    at(3_901 + 61 + 119);
    expect((await run())?.conversations).toEqual([]);
    h.tavus.setConversation(active.conversationId, { status: 'ended', events: allEvents(active.conversationId) });
    at(3_901 + 61 + 121);
    report = await run();
    expect(outcomeOf(report, failing.id)).toMatchObject({ result: 'complete' });
    expect(outcomeOf(report, active.id)).toMatchObject({ result: 'complete' });
    expect(h.tavus.getsOf(failing.conversationId)).toHaveLength(3);
    expect(h.tavus.getsOf(active.conversationId)).toHaveLength(3);
    expect(await eventCounts(h, failing.conversationId)).toEqual(ONE_OF_EACH);
    expect(await row(failing.id)).toMatchObject({ attempts: 0, last_result: 'complete', last_error: null });
    expect(sweeper.metrics()).toMatchObject({ requests: 6, pulled: 4, failed: { failing: 1, timeout: 1 }, results: { active: 2, complete: 2 } });
  });

  it('records a conversation Tavus does not know and never asks about it again', async () => {
    const started = await h.startConversation(randomUUID());
    h.tavus.failNextGet(started.conversationId, { status: 404, body: { error: 'Conversation not found' } });
    const { sweeper, run, at } = testSweeper(h);
    at(3_901);
    expect(outcomeOf(await run(), started.id)).toEqual({ result: 'unknown' });
    expect(await row(started.id)).toMatchObject({ last_result: 'unknown', next_attempt_at: null, complete: false });
    for (const seconds of [3_901 + 3_600, 86_400, 6 * 86_400]) {
      at(seconds);
      expect(outcomeOf(await run(), started.id)).toBeUndefined();
    }
    expect(h.tavus.getsOf(started.conversationId)).toHaveLength(1);
    expect(sweeper.metrics().failed.not_found).toBe(1);
  });

  it('stops asking once a conversation is older than the give-up age', async () => {
    const started = await h.startConversation(randomUUID());
    const { run, at } = testSweeper(h, { giveUpAfterSeconds: 86_400 });
    at(86_401);
    expect(outcomeOf(await run(), started.id)).toBeUndefined();
    expect(h.tavus.getsOf(started.conversationId)).toHaveLength(0);
    // Leave it complete for the tests after this one.
    h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
    at(3_901);
    expect(outcomeOf(await run(), started.id)).toMatchObject({ result: 'complete' });
  });

  it('loses and doubles nothing when stopped mid-sweep and started again', async () => {
    const user = randomUUID();
    const conversations = [];
    for (let i = 0; i < 3; i++) {
      const started = await h.startConversation(user);
      h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
      conversations.push(started);
    }
    const [first, second, third] = conversations as [(typeof conversations)[0], (typeof conversations)[0], (typeof conversations)[0]];
    // The second answer does not come before the sweeper is stopped.
    h.tavus.failNextGet(second.conversationId, { until: new Promise(() => {}) });

    const a = testSweeper(h, { concurrency: 1 });
    a.at(3_901);
    const stopped = a.run();
    await h.tavus.whenGets(second.conversationId, 1);
    await a.sweeper.stop();
    const report = await stopped;
    expect(report?.stopped).toBe(true);
    expect(report?.conversations.map((c) => c.conversationId)).toEqual([first.id]);

    const b = testSweeper(h, { concurrency: 1 });
    b.at(3_902);
    const resumed = await b.run();
    expect(resumed?.conversations.map((c) => [c.conversationId, c.outcome.result])).toEqual([
      [second.id, 'complete'],
      [third.id, 'complete'],
    ]);
    expect(conversations.map((c) => h.tavus.getsOf(c.conversationId).length)).toEqual([1, 2, 1]);
    for (const c of conversations) expect(await eventCounts(h, c.conversationId)).toEqual(ONE_OF_EACH);

    // A crash between the append and the row's refresh (once the history has been read past them):
    // asked again, the answer adds nothing.
    await catchUp(h.db);
    await h.db.query(`UPDATE reconcile_conversations SET ended_at = NULL, has_transcript = false WHERE conversation_id = $1`, [third.id]);
    b.at(3_903);
    expect(outcomeOf(await b.run(), third.id)).toMatchObject({ result: 'complete', recovered: [] });
    expect(await eventCounts(h, third.conversationId)).toEqual(ONE_OF_EACH);
    const deliveries = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM callbacks WHERE stream_id = $1`, [
      `conversation-${third.conversationId}`,
    ]);
    expect(deliveries.rows[0]!.n).toBe(10);

    await h.service.runner.drain();
    for (const c of conversations) expect((await h.get(`/conversations/${c.id}/feedback`, user)).status).toBe(200);
  });

  it('keeps to the rate limit, and stops the pass when Tavus answers 429', async () => {
    const user = randomUUID();
    const conversations = [];
    for (let i = 0; i < 9; i++) {
      const started = await h.startConversation(user);
      h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
      conversations.push(started);
    }
    const { run, at } = testSweeper(h, { ratePerSecond: 4, concurrency: 4 });
    at(3_901);
    const report = await run();
    expect(report?.conversations.filter((c) => c.outcome.result === 'complete')).toHaveLength(9);
    // At most 4 requests in any rolling second: any 5 in a row span a second or more (less a
    // little for the way from the client's queue to the stand-in).
    const times = conversations.map((c) => h.tavus.getsOf(c.conversationId)[0]!.at).sort((x, y) => x - y);
    for (let i = 4; i < times.length; i++) expect(times[i]! - times[i - 4]!).toBeGreaterThanOrEqual(900);

    const more = [];
    for (let i = 0; i < 3; i++) more.push(await h.startConversation(user));
    for (const c of more) h.tavus.setConversation(c.conversationId, { status: 'ended', events: allEvents(c.conversationId) });
    h.tavus.failNextGet(more[0]!.conversationId, { status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': '120' } });
    const slow = testSweeper(h, { concurrency: 1 });
    slow.at(3_901);
    const limited = await slow.run();
    expect(limited?.rateLimitedForSeconds).toBe(120);
    expect(limited?.conversations.map((c) => c.outcome.result)).toEqual(['failed']);
    expect(more.map((c) => h.tavus.getsOf(c.conversationId).length)).toEqual([1, 0, 0]);
    expect((await row(more[0]!.id))?.next_attempt_at).toEqual(new Date(slow.now().getTime() + 120_000));

    slow.at(3_901 + 60);
    expect((await slow.run())?.conversations.map((c) => c.conversationId)).toEqual([more[1]!.id, more[2]!.id]);
    slow.at(3_901 + 121);
    expect((await slow.run())?.conversations.map((c) => [c.conversationId, c.outcome.result])).toEqual([[more[0]!.id, 'complete']]);
  });

  it('sweeps in one instance at a time: another skips its pass while one sweeps', async () => {
    const started = await h.startConversation(randomUUID());
    h.tavus.setConversation(started.conversationId, { status: 'ended', events: allEvents(started.conversationId) });
    let answer!: () => void;
    h.tavus.failNextGet(started.conversationId, { until: new Promise<void>((resolve) => (answer = resolve)) });
    const one = testSweeper(h);
    const other = testSweeper(h);
    one.at(3_901);
    other.at(3_901);
    const sweeping = one.run();
    await h.tavus.whenGets(started.conversationId, 1);
    expect(await other.run()).toBeNull();
    answer();
    expect(outcomeOf(await sweeping, started.id)).toMatchObject({ result: 'complete' });
    expect(h.tavus.getsOf(started.conversationId)).toHaveLength(1);
    expect((await other.run())?.conversations).toEqual([]);
  });
});
