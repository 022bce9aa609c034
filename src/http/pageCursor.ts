import type { ConversationPosition } from '../projections/readModels/conversationQueries.js';
import { isUuid } from '../validation.js';

// A page cursor is opaque to callers: where the last page ended, as base64url. Filters are not in it;
// the caller sends the same ones again with it.

export function encodeCursor(position: ConversationPosition): string {
  return Buffer.from(`${position.createdAtMicros}.${position.id}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this service made. */
export function decodeCursor(cursor: string): ConversationPosition | undefined {
  const [micros, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !micros || !/^-?\d{1,19}$/.test(micros) || !id || !isUuid(id)) return undefined;
  return { createdAtMicros: micros, id };
}
