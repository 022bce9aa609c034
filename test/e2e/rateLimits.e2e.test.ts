import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { exampleCallback } from '../support/callbacks.js';
import { JWT_SECRET, startHarness, type Harness } from '../support/harness.js';

// Each test speaks from an address of its own on loopback (127.0.0.x), so the per-address counts
// of one test do not spill into the next.

const WINDOW_SECONDS = 3;
const PER_USER = 3;
const PER_ADDRESS = 8;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { RATE_LIMIT_WINDOW: `${WINDOW_SECONDS}s`, RATE_LIMIT_PER_USER: String(PER_USER), RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS) },
  });
});
afterAll(async () => {
  await h.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(from: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(h.service.url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        localAddress: from,
        method,
        path,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function expectLimited(answer: Answer, whose: RegExp) {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(answer.body)).toMatchObject({ status: 429, title: 'Too Many Requests', detail: expect.stringMatching(whose) });
  return retryAfter;
}

describe('rate limits on the user routes', () => {
  it('limits each user, whatever the address, and lets them in again after Retry-After', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const aliceToken = await h.tokenFor(alice);
    for (let i = 0; i < PER_USER - 1; i++) expect((await send('127.0.0.2', 'GET', `/conversations/${randomUUID()}`, { token: aliceToken })).status).toBe(404);
    const last = await send('127.0.0.2', 'GET', `/conversations/${randomUUID()}`, { token: aliceToken });
    expect(last.status).toBe(404);
    expect(last.headers['ratelimit']).toMatch(/"per-user"; r=0; t=[1-3]/);

    const before = h.tavus.created.length;
    const limited = await send('127.0.0.2', 'POST', '/conversations', { token: aliceToken, body: { scenarioId: h.scenarioId, replicaId: 'r-test' } });
    const retryAfter = expectLimited(limited, /for this user/);
    expect(h.tavus.created.length).toBe(before);
    // A fresh token of the same user, from another address, is the same user.
    expectLimited(await send('127.0.0.3', 'GET', '/conversations/x', { token: await h.tokenFor(alice) }), /for this user/);
    // Another user on the same address is not held back.
    expect((await send('127.0.0.2', 'GET', `/conversations/${randomUUID()}`, { token: await h.tokenFor(bob) })).status).toBe(404);

    // The service said when: wait exactly that long.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await send('127.0.0.2', 'GET', `/conversations/${randomUUID()}`, { token: aliceToken })).status).toBe(404);
  });

  it('limits each address before looking at the token, and X-Forwarded-For does not dodge it', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) {
      const answer = await send('127.0.0.4', 'GET', `/conversations/${randomUUID()}`, { headers: { 'x-forwarded-for': `10.0.0.${i}` } });
      expect(answer.status).toBe(401);
    }
    expectLimited(await send('127.0.0.4', 'GET', `/conversations/${randomUUID()}`, { token: await h.tokenFor(randomUUID()) }), /from this address/);
    expectLimited(await send('127.0.0.4', 'POST', '/conversations', { headers: { 'x-forwarded-for': '10.9.9.9' } }), /from this address/);
    expect((await send('127.0.0.5', 'GET', `/conversations/${randomUUID()}`, { token: await h.tokenFor(randomUUID()) })).status).toBe(404);
  });

  it('does not hold back the service_role key per user; its address still counts', async () => {
    const operator = await issueServiceRoleToken(JWT_SECRET);
    for (let i = 0; i < PER_ADDRESS; i++) expect((await send('127.0.0.6', 'GET', `/conversations/${randomUUID()}`, { token: operator })).status).toBe(404);
    expectLimited(await send('127.0.0.6', 'GET', `/conversations/${randomUUID()}`, { token: operator }), /from this address/);
  });

  it('never limits Tavus callbacks or health probes', async () => {
    const c = await h.startConversation(randomUUID());
    const path = new URL(c.callbackUrl).pathname;
    const rounds = PER_ADDRESS * 3;
    for (let i = 0; i < rounds; i++) {
      expect((await send('127.0.0.7', 'POST', path, { body: exampleCallback('system.replica_joined', c.conversationId) })).status).toBe(200);
      expect((await send('127.0.0.7', 'POST', '/webhooks/tavus/not-a-token', { body: {} })).status).toBe(401);
      expect((await send('127.0.0.7', 'GET', '/healthz')).status).toBe(200);
      expect((await send('127.0.0.7', 'GET', '/readyz')).status).toBe(200);
    }
    // None of that counted against the address on the user routes.
    const first = await send('127.0.0.7', 'GET', `/conversations/${c.id}`, { token: await h.tokenFor(randomUUID()) });
    expect(first.status).toBe(404);
    expect(first.headers['ratelimit']).toMatch(new RegExp(`"per-address"; r=${PER_ADDRESS - 1}`));
  });
});
