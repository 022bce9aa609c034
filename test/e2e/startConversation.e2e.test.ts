import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTavusClient, TavusError } from '../../src/tavus/client.js';
import { json, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function eventCount() {
  return (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
}

async function create(userId: string, body: unknown, token?: string) {
  return h.post('/conversations', body, { authorization: `Bearer ${token ?? (await h.tokenFor(userId))}` });
}

describe('POST /conversations', () => {
  it('answers 201 and passes the request on to Tavus', async () => {
    const response = await create(randomUUID(), {
      scenarioId: h.scenarioId,
      personaId: 'p-1',
      conversationalContext: 'You are a report whose work slipped.',
      customGreeting: 'Hi!',
      properties: { max_call_duration: 600 },
    });
    expect(response.status).toBe(201);
    const answer = await json(response);
    expect(answer).toEqual({ id: expect.any(String), conversationId: expect.stringMatching(/^c/), conversationUrl: expect.any(String), status: 'active' });
    expect(h.tavus.created.at(-1)!.body).toMatchObject({
      persona_id: 'p-1',
      conversational_context: 'You are a report whose work slipped.',
      custom_greeting: 'Hi!',
      properties: { max_call_duration: 600 },
    });
  });

  it.each([
    ['a 400', { status: 400, body: { error: 'Invalid replica_id' } }, /Invalid replica_id/],
    ['a 401', { status: 401, body: { message: 'Invalid access token' } }, /Invalid access token/],
    ['a 500', { status: 500, body: { error: 'Internal error' } }, /500/],
  ])("answers 502 with Tavus's message on %s, recording nothing", async (_name, failure, message) => {
    const before = await eventCount();
    h.tavus.failNext(failure);
    const response = await create(randomUUID(), { scenarioId: h.scenarioId, replicaId: 'r1' });
    expect(response.status).toBe(502);
    expect((await json(response)).detail).toMatch(message);
    expect(await eventCount()).toBe(before);
  });

  it('gives up on a Tavus that does not answer', async () => {
    h.tavus.failNext({ hang: true });
    // The service waits 10 s; the same client with a short limit shows the behaviour quickly.
    const client = createTavusClient({ apiUrl: h.tavus.url, apiKey: h.tavus.apiKey, timeoutMs: 200 });
    const error = await client.createConversation({ callbackUrl: 'http://x', replicaId: 'r1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TavusError);
    expect((error as Error).message).toMatch(/did not answer within 0.2 s/);
  });

  it('answers 401 without a valid token', async () => {
    const body = { scenarioId: h.scenarioId };
    expect((await h.post('/conversations', body)).status).toBe(401);
    expect((await create(randomUUID(), body, 'not-a-jwt')).status).toBe(401);
    const { issueUserToken } = await import('../../src/http/auth.js');
    expect((await create(randomUUID(), body, await issueUserToken('some-other-secret-entirely', randomUUID()))).status).toBe(401);
  });

  it('answers 422 for an unknown scenario and 400 for a bad body', async () => {
    const before = h.tavus.created.length;
    expect((await create(randomUUID(), { scenarioId: randomUUID() })).status).toBe(422);
    expect((await create(randomUUID(), { scenarioId: 'not-a-uuid' })).status).toBe(422);
    const bad = await create(randomUUID(), { replicaId: 5, extra: true });
    expect(bad.status).toBe(400);
    expect(((await json(bad)).errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['scenarioId', 'replicaId']));
    // Text Postgres could store in an event but never read back is refused before Tavus is asked.
    for (const conversationName of ['half an emoji \ud83d', 'a\u0000b']) {
      const unreadable = await create(randomUUID(), { scenarioId: h.scenarioId, conversationName });
      expect(unreadable.status).toBe(400);
      expect((await json(unreadable)).detail).toMatch(/NUL character or an unpaired UTF-16 surrogate/);
    }
    expect(h.tavus.created.length).toBe(before);
  });
});
