import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isUuid } from '../validation.js';

// Who a bearer token says its holder is. Tokens are the ones Supabase issues: a user's (`sub` =
// user id, `aud` = "authenticated") signed with the project's JWT secret (HS256) or with one of its
// asymmetric signing keys (ES256/RS256, published as a JWKS); and the service key, `role` =
// "service_role" with neither `sub` nor `aud`, which is the operator's.

export type Principal = { kind: 'user'; userId: string } | { kind: 'operator' };

export interface TokenVerifierOptions {
  /** The HS256 secret; undefined: HS256 tokens are refused. */
  hs256Secret: string | undefined;
  /** The key set of the asymmetric signing keys; undefined: ES256/RS256 tokens are refused. */
  jwksUrl: string | undefined;
  /** The `aud` a user's token must carry. */
  audience: string;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  now?: () => Date;
}

/** A token that opens nothing (401), or a key set that cannot be had right now (503). */
export class AuthFailure extends Error {
  override name = 'AuthFailure';
  constructor(
    readonly status: 401 | 503,
    message: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const ASYMMETRIC = ['ES256', 'RS256'];
/** A verification that waits on the key set gives up after this; the caller answers 503. */
const JWKS_TIMEOUT_MS = 5_000;

export function tokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? (() => new Date());
  const secret = options.hs256Secret === undefined ? undefined : new TextEncoder().encode(options.hs256Secret);
  // jose keeps the fetched set for cacheMaxAge, and fetches it again early when a token names a key
  // it does not hold, at most once per cooldown: a rotated key is picked up without a restart, and
  // tokens naming made-up keys cannot make us hammer the identity provider.
  const jwks =
    options.jwksUrl === undefined
      ? undefined
      : createRemoteJWKSet(new URL(options.jwksUrl), {
          cooldownDuration: options.jwksCooldownMs,
          cacheMaxAge: options.jwksCacheMaxAgeMs,
          timeoutDuration: JWKS_TIMEOUT_MS,
        });
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC : [])];
  if (algorithms.length === 0) throw new Error('no way to verify tokens: give an HS256 secret, a JWKS URL, or both');
  const accepted = [...(secret ? ['HS256 (AUTH_JWT_SECRET)'] : []), ...(jwks ? ['ES256 or RS256 (AUTH_JWKS_URL)'] : [])].join(' or ');

  // The token's own `alg` says which of the two kinds of key to use; `kid` picks the key in the set.
  const keyFor: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256') return secret!;
    try {
      return await jwks!(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) {
        throw new AuthFailure(401, 'the token is signed by a key that AUTH_JWKS_URL does not list (rotated out, or from elsewhere)');
      }
      // Several keys fit a token without `kid`: jose tries each of them itself.
      if (err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new AuthFailure(503, 'the signing keys could not be fetched from AUTH_JWKS_URL; retry shortly');
    }
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, { algorithms, requiredClaims: ['exp'], currentDate: now() }));
    } catch (err) {
      throw asAuthFailure(err, accepted);
    }
    if (payload.role === 'service_role') return { kind: 'operator' };
    const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (!audiences.includes(options.audience))
      throw new AuthFailure(401, `the token is not meant for this service: its audience (aud) must include "${options.audience}"`);
    if (!isUuid(payload.sub)) throw new AuthFailure(401, 'the token has no user id (sub) that is a UUID');
    return { kind: 'user', userId: payload.sub.toLowerCase() };
  };
}

/** What went wrong, in words a client can act on; never the token itself. */
function asAuthFailure(err: unknown, accepted: string): Error {
  if (err instanceof AuthFailure) return err;
  if (err instanceof errors.JWTExpired) return new AuthFailure(401, 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return new AuthFailure(401, 'the token has no valid expiry (exp); tokens that never expire are refused');
    if (err.claim === 'nbf') return new AuthFailure(401, 'the token is not valid yet (nbf)');
    return new AuthFailure(401, `the token's ${err.claim} claim is invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new AuthFailure(401, `the token must be signed with ${accepted}`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthFailure(401, 'the token signature does not verify');
  if (err instanceof errors.JOSEError) return new AuthFailure(401, 'the bearer token is not a valid JWT');
  return err as Error;
}
