import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleBodyCallback } from '../support/callbacks.js';
import { runCli } from '../support/cli.js';
import { callbackPath, json, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { serviceRoleClaims, startJwksStandIn, userClaims, type JwksStandIn, type SigningKey } from '../support/jwksStandIn.js';

// Users sign in with the identity provider's asymmetric keys (served by the key set stand-in) while
// the HS256 secret stays accepted; the service key reads everyone's conversations.

let h: Harness;
let keys: JwksStandIn;
let signingKey: SigningKey;

beforeAll(async () => {
  keys = await startJwksStandIn();
  signingKey = await keys.addKey('ES256');
  h = await startHarness({
    // The cooldown is 0 so that a rotation is picked up at the first token of the new key.
    env: { AUTH_JWT_SECRET: JWT_SECRET, AUTH_JWKS_URL: keys.url, AUTH_JWKS_COOLDOWN: '0' },
  });
});
afterAll(async () => {
  await h?.close();
  await keys?.close();
});

const get = (path: string, token: string) => fetch(h.service.url + path, { headers: { authorization: `Bearer ${token}` } });
const create = (token: string, body: unknown = { scenarioId: h.scenarioId, replicaId: 'r-test' }) =>
  h.post('/conversations', body, { authorization: `Bearer ${token}` });

/** A conversation of `user`'s, with its transcript in and projected. */
async function conversationOf(user: string) {
  const started = await h.startConversation(user);
  expect((await h.post(callbackPath(started.callbackUrl), singleBodyCallback(started.conversationId))).status).toBe(200);
  await h.service.runner.drain();
  return started;
}

async function expectRefused(response: Response, token: string, detail: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  const text = await response.text();
  expect(JSON.parse(text).detail).toMatch(detail);
  expect(text).not.toContain(token);
}

describe("users' tokens", () => {
  it('accepts a token signed by a key of the set, and one signed with the HS256 secret', async () => {
    const user = randomUUID();
    const created = await create(await signingKey.sign(userClaims(user)));
    expect(created.status).toBe(201);
    const { id } = await json(created);
    await h.service.runner.drain();
    expect((await get(`/conversations/${id}`, await signingKey.sign(userClaims(user)))).status).toBe(200);
    expect((await get(`/conversations/${id}`, await h.tokenFor(user))).status).toBe(200);
  });

  it('accepts a key rotated in while the service runs, and refuses the key rotated out', async () => {
    const user = randomUUID();
    const { id } = await conversationOf(user);
    const old = signingKey;
    expect((await get(`/conversations/${id}`, await old.sign(userClaims(user)))).status).toBe(200);

    const rotated = await keys.addKey('RS256');
    keys.withdraw(old);
    expect((await get(`/conversations/${id}`, await rotated.sign(userClaims(user)))).status).toBe(200);
    const stale = await old.sign(userClaims(user));
    await expectRefused(await get(`/conversations/${id}`, stale), stale, /signed by a key that AUTH_JWKS_URL does not list/);
    signingKey = rotated;
  });

  it('refuses unknown keys, tokens without exp, for another audience, or without a UUID sub, with a message that says which', async () => {
    const user = randomUUID();
    const { exp: _exp, ...forever } = userClaims(user);
    const cases: [string, RegExp][] = [
      [await (await keys.unlistedKey()).sign(userClaims(user)), /does not list/],
      [await signingKey.sign(forever), /no valid expiry \(exp\)/],
      [await signingKey.sign({ ...userClaims(user), aud: 'anon' }), /audience \(aud\) must include "authenticated"/],
      [await signingKey.sign({ ...userClaims(user), sub: 'alice' }), /no user id \(sub\) that is a UUID/],
      [await signingKey.sign({ ...userClaims(user), exp: Math.floor(Date.now() / 1000) - 60 }), /has expired/],
      ['garbage', /not a valid JWT/],
    ];
    for (const [token, detail] of cases) {
      await expectRefused(await create(token), token, detail);
      await expectRefused(await get(`/conversations/${randomUUID()}`, token), token, detail);
    }
    const none = await h.post('/conversations', { scenarioId: h.scenarioId });
    expect(none.status).toBe(401);
    expect((await json(none)).detail).toMatch(/Authorization: Bearer <JWT> header is required/);
  });

  it('answers 503 with Retry-After while the key set cannot be fetched, and recovers', async () => {
    const user = randomUUID();
    const fresh = await keys.addKey();
    keys.failWith(503);
    try {
      const response = await get(`/conversations/${randomUUID()}`, await fresh.sign(userClaims(user)));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      keys.failWith(null);
    }
    expect((await get(`/conversations/${randomUUID()}`, await fresh.sign(userClaims(user)))).status).toBe(404);
  });
});

describe('the service_role key (the operator)', () => {
  it("reads another user's conversation, feedback and history; another user does not", async () => {
    const owner = randomUUID();
    const started = await conversationOf(owner);
    const operator = await signingKey.sign(serviceRoleClaims());
    const paths = [
      `/conversations/${started.id}`,
      `/conversations/${started.conversationId}`,
      `/conversations/${started.id}/feedback`,
      `/conversations/${started.id}/events`,
    ];
    for (const path of paths) {
      const response = await get(path, operator);
      expect(response.status, path).toBe(200);
      expect(JSON.stringify(await response.json())).toContain(started.id);
      expect((await get(path, await signingKey.sign(userClaims(randomUUID())))).status, path).toBe(404);
      expect((await get(path, await signingKey.sign(userClaims(owner)))).status, path).toBe(200);
    }
    expect((await json(await get(paths[0]!, operator))).user_id).toBe(owner);
    expect((await get(`/conversations/${randomUUID()}`, operator)).status).toBe(404);
  });

  it('may not start a conversation: it has no user to give it', async () => {
    const before = h.tavus.created.length;
    const response = await create(await signingKey.sign(serviceRoleClaims()));
    expect(response.status).toBe(403);
    expect((await json(response)).detail).toMatch(/started with a user token/);
    expect(h.tavus.created.length).toBe(before);
  });

  it('`tavus-feedback token --service-role` prints one the service accepts, and --user one for that user', async () => {
    const owner = randomUUID();
    const started = await conversationOf(owner);
    const env = { AUTH_JWT_SECRET: JWT_SECRET, AUTH_JWKS_URL: '' };
    const operator = runCli(['token', '--service-role', '--expires', '10m'], { env });
    expect(operator.status, operator.stderr).toBe(0);
    const token = operator.stdout.trim();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ role: 'service_role' });
    expect(claims.sub).toBeUndefined();
    expect(claims.aud).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(600);
    expect((await get(`/conversations/${started.id}`, token)).status).toBe(200);

    const user = runCli(['token', '--user', owner.toUpperCase()], { env });
    expect(user.status, user.stderr).toBe(0);
    expect((await get(`/conversations/${started.id}`, user.stdout.trim())).status).toBe(200);

    expect(runCli(['token', '--service-role', '--user', owner], { env }).status).toBe(2);
    const jwksOnly = runCli(['token', '--service-role'], { env: { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: keys.url } });
    expect(jwksOnly.status).toBe(2);
    expect(jwksOnly.stderr).toMatch(/set AUTH_JWT_SECRET/);
  });
});
