import { createHash } from 'node:crypto';
import { jsonOf } from './json.js';

/** One stream a conversation, named by Tavus's conversation id. */
export function conversationStream(tavusConversationId: string): string {
  return `conversation-${tavusConversationId}`;
}

export function tavusIdOfStream(streamId: string): string {
  return streamId.slice('conversation-'.length);
}

/**
 * The idempotency key of a fact: same stream, same kind of fact, same content → same key, so the
 * unique constraint turns every repetition, racing or not, into nothing.
 */
export function idempotencyKey(streamId: string, type: string, identity: unknown): string {
  const hash = createHash('sha256').update(jsonOf(identity)).digest('base64url').slice(0, 32);
  return `${streamId}/${type}/${hash}`;
}
