import type pg from 'pg';
import { isUuid } from '../../validation.js';

// What readers ask of the conversations read model: rows as stored, since apps read the same table.

export type ConversationRecord = Record<string, unknown> & { id: string; conversation_id: string; user_id: string };

/**
 * `ref` is our id or Tavus's conversation id. `userId` limits it to that user's conversations (a
 * conversation of another user is not found); null reads any (the operator).
 */
export async function findConversation(db: pg.Pool, ref: string, userId: string | null): Promise<ConversationRecord | undefined> {
  const result = await db.query<ConversationRecord>(
    'SELECT * FROM conversations WHERE (id = $1::uuid OR conversation_id = $2::text) AND ($3::uuid IS NULL OR user_id = $3::uuid)',
    [isUuid(ref) ? ref : null, ref, userId],
  );
  return result.rows[0];
}
