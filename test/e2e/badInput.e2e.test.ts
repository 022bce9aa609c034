import { randomUUID } from 'node:crypto';
import { readStreams } from '../../src/events/readStreams.js';
import { testKeyring } from '../support/keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { exampleCallback } from '../support/callbacks.js';

// Bad input gets a clear error and changes nothing.

let h: Harness;
let path: string;
let conversationId: string;
beforeAll(async () => {
  h = await startHarness();
  const c = await h.startConversation(randomUUID());
  path = callbackPath(c.callbackUrl);
  conversationId = c.conversationId;
});
afterAll(async () => {
  await h.close();
});

async function counts() {
  const r = await h.db.query<{ events: number; callbacks: number }>(
    'SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM callbacks) AS callbacks',
  );
  return r.rows[0];
}

const shutdown = () => exampleCallback('system.shutdown', conversationId);
const transcript = () => exampleCallback('application.transcription_ready', conversationId);

const badBodies: [string, () => unknown, string[]][] = [
  ['no conversation_id', () => ({ ...shutdown(), conversation_id: undefined }), ['conversation_id']],
  ['conversation_id a number', () => ({ ...shutdown(), conversation_id: 42 }), ['conversation_id']],
  ['conversation_id with a slash', () => ({ ...shutdown(), conversation_id: 'a/b' }), ['conversation_id']],
  ['event_type a number', () => ({ ...shutdown(), event_type: 7 }), ['event_type']],
  ['transcript not an array', () => ({ ...transcript(), properties: { transcript: 'hello' } }), ['properties.transcript']],
  ['shutdown_reason a number', () => ({ ...shutdown(), properties: { shutdown_reason: 3 } }), ['properties.shutdown_reason']],
  ['timestamp not a date', () => ({ ...shutdown(), timestamp: 'yesterday' }), ['timestamp']],
  ['timestamp without a zone', () => ({ ...shutdown(), timestamp: '2025-07-11T06:48:37' }), ['timestamp']],
  ['timestamp out of any sane year', () => ({ ...shutdown(), timestamp: '275760-09-13T00:00:00Z' }), ['timestamp']],
  ['timestamp as epoch seconds of the year 3000', () => ({ ...shutdown(), timestamp: 32503680000 }), ['timestamp']],
  ['recording duration past what a call can last', () => exampleCallbackWith('application.recording_ready', { duration: 1e12 }), ['properties.duration']],
  ['recording duration negative', () => exampleCallbackWith('application.recording_ready', { duration: -1 }), ['properties.duration']],
  ['perception analysis missing', () => ({ ...exampleCallback('application.perception_analysis', conversationId), properties: {} }), ['properties.analysis']],
  [
    'single-body with several wrong fields',
    () => ({ conversation_id: conversationId, duration: 'long', started_at: 'soon', ended_at: 1e300 }),
    ['duration', 'started_at', 'ended_at'],
  ],
  ['an array', () => [shutdown()], ['(body)']],
  ['a string', () => 'hello', ['(body)']],
  ['null', () => null, ['(body)']],
];

function exampleCallbackWith(type: 'application.recording_ready', properties: Record<string, unknown>) {
  const body = exampleCallback(type, conversationId);
  Object.assign(body.properties as object, properties);
  return body;
}

describe('bad callbacks', () => {
  it.each(badBodies)('%s: 400 naming each bad field, nothing recorded', async (_name, body, fields) => {
    const before = await counts();
    const response = await h.post(path, JSON.stringify(body()));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await json(response);
    expect((problem.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(fields));
    expect(await counts()).toEqual(before);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await h.post(path, '{"conversation_id": ');
    expect(response.status).toBe(400);
    expect((await json(response)).detail).toMatch(/not valid JSON/);
  });

  it('answers a body that is not JSON with 415', async () => {
    const response = await h.post(path, 'conversation_id=c1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
  });

  it('answers a body over 2 MB with 413', async () => {
    const before = await counts();
    const huge = transcript();
    (huge.properties as { transcript: unknown[] }).transcript = [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }];
    const response = await h.post(path, JSON.stringify(huge));
    expect(response.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('keeps a transcript whose text Postgres could not read back, that text replaced, and fails nothing batched with it', async () => {
    const bad = transcript();
    (bad.properties as { transcript: unknown[] }).transcript = [
      { role: 'user', content: 'a\u0000b' },
      { role: 'assistant', content: 'x\ud800y 😀' },
    ];
    const [odd, good] = await Promise.all([
      h.post(path, JSON.stringify(bad)),
      h.post(path, JSON.stringify(exampleCallback('system.replica_joined', conversationId))),
    ]);
    expect(odd.status).toBe(200);
    expect(good.status).toBe(200);
    // Sealed in the history: opened as the projections open it.
    const stream = `conversation-${conversationId}`;
    const events = (await readStreams(h.db, testKeyring(), [stream])).get(stream)!;
    const last = events.filter((e) => e.type === 'TranscriptReceived').at(-1);
    expect(last?.type === 'TranscriptReceived' && last.data.turns).toEqual([
      { role: 'user', content: 'a\ufffdb' },
      { role: 'assistant', content: 'x\ufffdy 😀' },
    ]);
  });

  it('refuses forged, foreign and missing tokens with 401', async () => {
    const other = await h.startConversation(randomUUID());
    const before = await counts();
    const forged = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await h.post(forged, shutdown())).status).toBe(401);
    // A genuine token of another conversation cannot post to this one.
    expect((await h.post(callbackPath(other.callbackUrl), shutdown())).status).toBe(401);
    expect((await h.post('/webhooks/tavus', shutdown())).status).toBe(401);
    expect((await h.post('/functions/v1/tavus-webhook', shutdown())).status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('with WEBHOOK_AUTH=none', () => {
  let open: Harness;
  beforeAll(async () => {
    open = await startHarness({ webhookAuth: 'none' });
  });
  afterAll(async () => {
    await open.close();
  });

  it('accepts token-less callbacks for known conversations and 404s unknown ones', async () => {
    const c = await open.startConversation(randomUUID());
    expect((await open.post('/functions/v1/tavus-webhook', exampleCallback('system.shutdown', c.conversationId))).status).toBe(200);
    expect((await open.post('/webhooks/tavus', exampleCallback('system.replica_joined', c.conversationId))).status).toBe(200);
    const unknown = await open.post('/webhooks/tavus', exampleCallback('system.shutdown', 'cnobody'));
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).detail).toMatch(/unknown conversation cnobody/);
  });
});
