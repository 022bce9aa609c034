import type { RequestHandler } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../validation.js';
import { HttpError } from './problems.js';

// Users come with the JWT their identity provider issued (Supabase: HS256, `sub` = user id).



declare module 'express-serve-static-core' {
  interface Request {
    userId?: string;
  }
}

export function requireUser(secret: string): RequestHandler {
  const key = new TextEncoder().encode(secret);
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new HttpError(401, 'an Authorization: Bearer <JWT> header is required'));
    try {
      const { payload } = await jwtVerify(match[1]!, key, { algorithms: ['HS256'] });
      if (!isUuid(payload.sub)) return next(new HttpError(401, 'the token has no user id (sub) that is a UUID'));
      req.userId = payload.sub.toLowerCase();
      next();
    } catch {
      next(new HttpError(401, 'the token is invalid or expired'));
    }
  };
}

/** A token like the ones Supabase issues, for local use (`tavus-feedback token`). */
export async function issueUserToken(secret: string, userId: string, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
