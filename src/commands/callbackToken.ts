import { createHmac, timingSafeEqual } from 'node:crypto';

// The token in a conversation's callback URL: our conversation id and an HMAC of it. Only we can
// make one, it names exactly one conversation, and checking it needs no database round trip, so a
// callback that races ahead of our own ConversationStarted append is still recognised as ours.
// Rotating the secret invalidates the callback URLs of conversations still running.

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function signingKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('tavus-feedback/callback-token/v1').digest();
}

function signature(key: Buffer, conversationId: string): string {
  return createHmac('sha256', key).update(conversationId).digest('base64url');
}

export interface CallbackTokens {
  issue(conversationId: string): string;
  /** Our conversation id if the token is genuine, else undefined. */
  verify(token: string): string | undefined;
}

export function callbackTokens(secret: string): CallbackTokens {
  const key = signingKey(secret);
  return {
    issue: (conversationId) => `${conversationId}.${signature(key, conversationId)}`,
    verify(token) {
      const dot = token.indexOf('.');
      if (dot < 0) return undefined;
      const id = token.slice(0, dot);
      if (!ID.test(id)) return undefined;
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(signature(key, id));
      return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
    },
  };
}
