import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../validation.js';

// The token in a conversation's callback URL: our conversation id and an HMAC of it. Only we can
// make one and checking it needs no database round trip; which stream it opens is bound once, in
// token_bindings (see recordCallback/decide.ts). Rotating the secret invalidates the callback URLs of
// conversations still running.

function signingKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('tavus-feedback/callback-token/v1').digest();
}

function signature(key: Buffer, conversationId: string): string {
  return createHmac('sha256', key).update(conversationId).digest('base64url');
}

/** Our ids are UUIDv7: their first 48 bits are the milliseconds at which we asked Tavus. */
function issuedAtOf(id: string): Date | null {
  if (id[14] !== '7') return null;
  return new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}

export interface VerifiedToken {
  conversationId: string;
  issuedAt: Date | null;
}

export interface CallbackTokens {
  issue(conversationId: string): string;
  /** What a genuine token names, else undefined. */
  verify(token: string): VerifiedToken | undefined;
}

export function callbackTokens(secret: string): CallbackTokens {
  const key = signingKey(secret);
  return {
    issue: (conversationId) => `${conversationId}.${signature(key, conversationId)}`,
    verify(token) {
      const dot = token.indexOf('.');
      if (dot < 0) return undefined;
      const id = token.slice(0, dot);
      if (!isUuid(id) || id !== id.toLowerCase()) return undefined;
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(signature(key, id));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return { conversationId: id, issuedAt: issuedAtOf(id) };
    },
  };
}
