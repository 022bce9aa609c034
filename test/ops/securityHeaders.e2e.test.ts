import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';

// helmet's headers on every answer: successes, problems, static files, streams, callbacks.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function expectSecurityHeaders(response: Response, what: string) {
  const csp = response.headers.get('content-security-policy');
  expect(csp, what).toBeTruthy();
  const directives = Object.fromEntries(
    csp!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  expect(directives['default-src'], what).toEqual(["'self'"]);
  expect(directives['script-src'], what).toEqual(["'self'"]);
  expect(directives['script-src-attr'], what).toEqual(["'none'"]);
  expect(directives['object-src'], what).toEqual(["'none'"]);
  expect(directives['frame-ancestors'], what).toEqual(["'none'"]);
  expect(directives, what).not.toHaveProperty('upgrade-insecure-requests');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('strict-transport-security'), what).toMatch(/max-age=\d+/);
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(response.headers.get('x-frame-options'), what).toBe('SAMEORIGIN');
  expect(response.headers.get('x-powered-by'), what).toBeNull();
}

describe('security headers', () => {
  it('are on every kind of answer', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    await h.service.runner.drain();
    const auth = { authorization: `Bearer ${await h.tokenFor(user)}` };
    const answers: [string, Response][] = [
      ['healthz', await fetch(`${h.service.url}/healthz`)],
      ['readyz', await fetch(`${h.service.url}/readyz`)],
      ['metrics', await fetch(`${h.service.url}/metrics`)],
      ['openapi', await fetch(`${h.service.url}/openapi.json`)],
      ['docs page', await fetch(`${h.service.url}/docs/`)],
      ['docs script', await fetch(`${h.service.url}/docs/docs.js`)],
      ['no route', await fetch(`${h.service.url}/nowhere`)],
      ['no token', await fetch(`${h.service.url}/conversations`)],
      ['a list', await fetch(`${h.service.url}/conversations`, { headers: auth })],
      ['a conversation', await fetch(`${h.service.url}/conversations/${c.id}`, { headers: auth })],
      ['a callback', await h.post(callbackPath(c.callbackUrl), exampleCallback('system.replica_joined', c.conversationId))],
      ['a bad callback', await h.post('/webhooks/tavus/nope', {})],
    ];
    const stream = new AbortController();
    answers.push(['a stream', await fetch(`${h.service.url}/conversations/${c.id}/feedback/stream`, { headers: auth, signal: stream.signal })]);
    for (const [what, response] of answers) expectSecurityHeaders(response, what);
    stream.abort();
    for (const [, response] of answers.slice(0, -1)) await response.arrayBuffer();
  });
});
