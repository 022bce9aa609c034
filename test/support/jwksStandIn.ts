import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

// A stand-in for the key set an identity provider publishes (Supabase serves its asymmetric JWT
// signing keys at /auth/v1/.well-known/jwks.json), over real HTTP on loopback. Tests add, rotate and
// withdraw keys while the service runs, and sign tokens with them.

export type KeyAlg = 'ES256' | 'RS256';

export interface SigningKey {
  kid: string;
  alg: KeyAlg;
  /** Signs exactly these claims, with `alg` and `kid` in the header. */
  sign(claims: JWTPayload): Promise<string>;
}

export interface JwksStandIn {
  /** The key set's URL, for AUTH_JWKS_URL. */
  url: string;
  /** How many times the key set was fetched. */
  readonly fetches: number;
  /** A new key, published in the set. */
  addKey(alg?: KeyAlg): Promise<SigningKey>;
  /** A key that signs tokens but is not (or no longer) in the set. */
  unlistedKey(alg?: KeyAlg): Promise<SigningKey>;
  /** Takes a key out of the set. */
  withdraw(key: SigningKey): void;
  /** Answers every fetch with this status (null: serve the set again). */
  failWith(status: number | null): void;
  close(): Promise<void>;
}

const PATH = '/auth/v1/.well-known/jwks.json';

async function makeKey(alg: KeyAlg): Promise<{ key: SigningKey; jwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'], ext: true };
  const sign = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey);
  return { key: { kid, alg, sign }, jwk };
}

export async function startJwksStandIn(): Promise<JwksStandIn> {
  const published = new Map<string, JWK>();
  let fetches = 0;
  let failure: number | null = null;

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== PATH) {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    if (failure !== null) {
      res.writeHead(failure, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' });
    res.end(JSON.stringify({ keys: [...published.values()] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    get fetches() {
      return fetches;
    },
    async addKey(alg = 'ES256') {
      const { key, jwk } = await makeKey(alg);
      published.set(key.kid, jwk);
      return key;
    },
    async unlistedKey(alg = 'ES256') {
      return (await makeKey(alg)).key;
    },
    withdraw(key) {
      published.delete(key.kid);
    },
    failWith(status) {
      failure = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Claims like those of a Supabase user's access token, valid for an hour from `now`. */
export function userClaims(userId: string, now = new Date()): JWTPayload {
  const iat = Math.floor(now.getTime() / 1000);
  return { sub: userId, aud: 'authenticated', role: 'authenticated', iss: 'http://127.0.0.1/auth/v1', iat, exp: iat + 3600 };
}

/** Claims like those of Supabase's service key: a role, an expiry, no user and no audience. */
export function serviceRoleClaims(now = new Date()): JWTPayload {
  const iat = Math.floor(now.getTime() / 1000);
  return { iss: 'supabase', role: 'service_role', iat, exp: iat + 3600 };
}
