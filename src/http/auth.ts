import type { Request, RequestHandler } from 'express';
import { SignJWT } from 'jose';
import { AuthFailure, type Principal, type TokenVerifier } from './jwtVerifier.js';
import { HttpError } from './problems.js';

// Users come with the JWT their identity provider issued; the operator with the service key.

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * `acceptsQueryToken` names the requests that may bring the token as `?access_token=` instead (a
 * browser's EventSource sends no headers); the header wins when both come.
 */
export function authenticate(verify: TokenVerifier, acceptsQueryToken: (req: Request) => boolean = () => false): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const fromQuery = !match && acceptsQueryToken(req) && typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
    try {
      if (!match && !fromQuery) throw new AuthFailure(401, 'an Authorization: Bearer <JWT> header is required');
      req.principal = await verify(match ? match[1]! : fromQuery!);
      next();
    } catch (err) {
      if (!(err instanceof AuthFailure)) return next(err);
      if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      else res.setHeader('Retry-After', '5');
      next(new HttpError(err.status, err.message));
    }
  };
}

/** The user a request acts for, or null for the operator, who may read every user's conversations. */
export function readerOf(principal: Principal | undefined): string | null {
  if (!principal) throw new Error('authenticate() must run before readerOf()');
  return principal.kind === 'operator' ? null : principal.userId;
}

/** A user's token like the ones Supabase issues, for local use (`tavus-feedback token --user`). */
export async function issueUserToken(secret: string, userId: string, expiresIn = '12h', audience = 'authenticated'): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** The operator's token, shaped like Supabase's service key: no user, no audience (`token --service-role`). */
export async function issueServiceRoleToken(secret: string, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ role: 'service_role' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
