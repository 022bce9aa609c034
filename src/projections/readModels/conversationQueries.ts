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

/** Where a page of conversations ends: the last row's creation instant (in microseconds) and id. */
export interface ConversationPosition {
  createdAtMicros: string;
  id: string;
}

export interface ConversationListQuery {
  /** The user whose conversations these are; null: everyone's (the operator). */
  userId: string | null;
  status?: 'active' | 'completed' | 'failed';
  limit: number;
  /** Rows strictly older than this position (the previous page's `next`). */
  after?: ConversationPosition;
}

// Microseconds, not a JS Date: Postgres keeps them, and a cursor rounded to milliseconds could skip
// or repeat rows created within the same millisecond.
const LIST = `
SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS position_micros
  FROM conversations
 WHERE ($1::uuid IS NULL OR user_id = $1::uuid)
   AND ($2::text IS NULL OR status = $2::text)
   AND ($3::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $5`;

/** Newest first; `next` is where the following page starts, null on the last page. */
export async function listConversations(db: pg.Pool, query: ConversationListQuery): Promise<{ rows: ConversationRecord[]; next: ConversationPosition | null }> {
  const result = await db.query<ConversationRecord & { position_micros: string }>(LIST, [
    query.userId,
    query.status ?? null,
    query.after?.createdAtMicros ?? null,
    query.after?.id ?? null,
    query.limit + 1,
  ]);
  const more = result.rows.length > query.limit;
  const page = result.rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const rows = page.map(({ position_micros: _position, ...row }) => row as ConversationRecord);
  return { rows, next: more && last ? { createdAtMicros: last.position_micros, id: last.id } : null };
}

/** An erased conversation, by our id or Tavus's: what the operator's audit still finds of it. */
export async function findErasedConversation(
  db: pg.Pool,
  ref: string,
): Promise<{ conversation_id: string; stream_id: string; erased_at: Date; erased_by: string } | undefined> {
  const result = await db.query<{ conversation_id: string; stream_id: string; erased_at: Date; erased_by: string }>(
    `SELECT conversation_id, stream_id, erased_at, erased_by FROM erased_conversations
      WHERE conversation_id = $1::uuid OR stream_id = 'conversation-' || $2::text`,
    [isUuid(ref) ? ref : null, ref],
  );
  return result.rows[0];
}
