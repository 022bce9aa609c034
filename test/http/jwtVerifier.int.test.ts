import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFailure, tokenVerifier, type TokenVerifierOptions } from '../../src/http/jwtVerifier.js';
import { serviceRoleClaims, startJwksStandIn, userClaims, type JwksStandIn } from '../support/jwksStandIn.js';

// The verifier against a key set served over loopback HTTP, as Supabase serves its signing keys.

const SECRET = 'a-secret-that-is-long-enough';
let keys: JwksStandIn;

beforeAll(async () => {
  keys = await startJwksStandIn();
});
afterAll(async () => {
  await keys.close();
});

function verifier(options: Partial<TokenVerifierOptions> = {}) {
  return tokenVerifier({ hs256Secret: SECRET, jwksUrl: keys.url, audience: 'authenticated', jwksCooldownMs: 0, jwksCacheMaxAgeMs: 600_000, ...options });
}

function hs256(claims: JWTPayload, secret = SECRET) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** The failure a token meets; its message must never repeat the token. */
async function refusal(verify: ReturnType<typeof verifier>, token: string): Promise<AuthFailure> {
  const error = await verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthFailure);
  expect((error as Error).message).not.toContain(token);
  for (const part of token.split('.')) if (part.length > 8) expect((error as Error).message).not.toContain(part);
  return error as AuthFailure;
}

describe('tokens from the key set (AUTH_JWKS_URL)', () => {
  it.each(['ES256', 'RS256'] as const)('accepts a user token signed with %s, and the service key', async (alg) => {
    const key = await keys.addKey(alg);
    const verify = verifier({ hs256Secret: undefined });
    const user = randomUUID().toUpperCase();
    expect(await verify(await key.sign(userClaims(user)))).toEqual({ kind: 'user', userId: user.toLowerCase() });
    expect(await verify(await key.sign(serviceRoleClaims()))).toEqual({ kind: 'operator' });
  });

  it('accepts a key rotated in after the set was fetched, without a restart, and refuses the key rotated out', async () => {
    const verify = verifier();
    const old = await keys.addKey();
    await verify(await old.sign(userClaims(randomUUID())));
    const before = keys.fetches;

    const next = await keys.addKey('RS256');
    keys.withdraw(old);
    const user = randomUUID();
    expect(await verify(await next.sign(userClaims(user)))).toEqual({ kind: 'user', userId: user });
    expect(keys.fetches).toBe(before + 1);
    // The cached set no longer holds the old key once it was fetched again.
    expect((await refusal(verify, await old.sign(userClaims(user)))).message).toMatch(/signed by a key that AUTH_JWKS_URL does not list/);
  });

  it('with the default cooldown, a standby key published before use is accepted from the cache', async () => {
    const verify = verifier({ jwksCooldownMs: 30_000 });
    const current = await keys.addKey();
    const standby = await keys.addKey();
    await verify(await current.sign(userClaims(randomUUID())));
    const before = keys.fetches;
    const user = randomUUID();
    expect(await verify(await standby.sign(userClaims(user)))).toEqual({ kind: 'user', userId: user });
    expect(keys.fetches).toBe(before);
  });

  it('refuses a token from a key it does not know, fetching the set again at most once per cooldown', async () => {
    const verify = verifier({ jwksCooldownMs: 60_000 });
    const listed = await keys.addKey();
    await verify(await listed.sign(userClaims(randomUUID())));
    const before = keys.fetches;
    for (let i = 0; i < 10; i++) {
      const stranger = await keys.unlistedKey(i === 0 ? 'RS256' : 'ES256');
      const failure = await refusal(verify, await stranger.sign(userClaims(randomUUID())));
      expect(failure.status).toBe(401);
      expect(failure.message).toMatch(/does not list/);
    }
    expect(keys.fetches).toBe(before);
  });

  it('refuses a withdrawn key once the cached set has aged out', async () => {
    const verify = verifier({ jwksCacheMaxAgeMs: 0 });
    const key = await keys.addKey();
    const token = await key.sign(userClaims(randomUUID()));
    await verify(token);
    keys.withdraw(key);
    expect((await refusal(verify, token)).status).toBe(401);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const key = await keys.addKey();
    const token = await key.sign(userClaims(randomUUID()));
    keys.failWith(500);
    try {
      const failure = await refusal(verifier(), token);
      expect(failure.status).toBe(503);
      expect(failure.message).toMatch(/could not be fetched from AUTH_JWKS_URL/);
    } finally {
      keys.failWith(null);
    }
    const nowhere = tokenVerifier({
      hs256Secret: undefined,
      jwksUrl: 'http://127.0.0.1:1/jwks.json',
      audience: 'authenticated',
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 0,
    });
    expect((await refusal(nowhere, token)).status).toBe(503);
  });
});

describe('what every token must carry', () => {
  it('refuses a token without exp, and an expired one', async () => {
    const key = await keys.addKey();
    const { exp: _exp, ...forever } = userClaims(randomUUID());
    for (const token of [await key.sign(forever), await hs256(forever)]) {
      expect((await refusal(verifier(), token)).message).toMatch(/no valid expiry \(exp\)/);
    }
    const { exp: _none, ...operatorForever } = serviceRoleClaims();
    expect((await refusal(verifier(), await hs256(operatorForever))).message).toMatch(/exp/);

    const token = await key.sign(userClaims(randomUUID()));
    const anHourLater = verifier({ now: () => new Date(Date.now() + 3601_000) });
    expect((await refusal(anHourLater, token)).message).toBe('the token has expired');
  });

  it('refuses a user token for another audience or without one; the service key needs none', async () => {
    const key = await keys.addKey();
    const user = randomUUID();
    for (const aud of ['anon', ['other', 'something'], undefined]) {
      const failure = await refusal(verifier(), await key.sign({ ...userClaims(user), aud }));
      expect(failure.message).toBe('the token is not meant for this service: its audience (aud) must include "authenticated"');
    }
    expect(await verifier()(await key.sign({ ...userClaims(user), aud: ['other', 'authenticated'] }))).toEqual({ kind: 'user', userId: user });
    expect(await verifier({ audience: 'practice-app' })(await hs256({ ...userClaims(user), aud: 'practice-app' }))).toEqual({ kind: 'user', userId: user });
  });

  it('refuses a user token whose sub is not a UUID', async () => {
    const key = await keys.addKey();
    for (const sub of ['alice', '12345', undefined]) {
      expect((await refusal(verifier(), await key.sign({ ...userClaims(randomUUID()), sub }))).message).toBe('the token has no user id (sub) that is a UUID');
    }
  });

  it('refuses signatures it cannot trust', async () => {
    const claims = userClaims(randomUUID());
    expect((await refusal(verifier(), await hs256(claims, 'another-secret-entirely'))).message).toBe('the token signature does not verify');
    // Only the key set is configured: an HS256 token is refused whoever signed it.
    expect((await refusal(verifier({ hs256Secret: undefined }), await hs256(claims))).message).toBe(
      'the token must be signed with ES256 or RS256 (AUTH_JWKS_URL)',
    );
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect((await refusal(verifier(), unsigned)).status).toBe(401);
    expect((await refusal(verifier(), 'not-a-jwt')).message).toBe('the bearer token is not a valid JWT');
  });

  it('accepts HS256 and the key set side by side, each by its alg', async () => {
    const key = await keys.addKey();
    const verify = verifier();
    const user = randomUUID();
    expect(await verify(await hs256(userClaims(user)))).toEqual({ kind: 'user', userId: user });
    expect(await verify(await key.sign(userClaims(user)))).toEqual({ kind: 'user', userId: user });
    expect(await verify(await hs256(serviceRoleClaims()))).toEqual({ kind: 'operator' });
  });
});
