import type pg from 'pg';

/** What a callback's decision needs of its stream: whether, and as which of our ids, it started. */
export interface StartedConversation {
  streamId: string;
  id: string;
  userId: string;
}

export async function readStartedConversations(db: pg.Pool | pg.PoolClient, streamIds: string[]): Promise<Map<string, StartedConversation>> {
  const started = new Map<string, StartedConversation>();
  if (streamIds.length === 0) return started;
  const result = await db.query<{ stream_id: string; id: string; user_id: string }>(
    `SELECT stream_id, data->>'id' AS id, data->>'userId' AS user_id
       FROM events
      WHERE stream_id = ANY($1::text[]) AND type = 'ConversationStarted'`,
    [streamIds],
  );
  for (const row of result.rows) started.set(row.stream_id, { streamId: row.stream_id, id: row.id, userId: row.user_id });
  return started;
}
