import type pg from 'pg';

// What the read endpoints answer: rows as stored, since apps read the same tables directly.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `ref` is our id or Tavus's conversation id; a conversation of another user is not found. */
export async function findConversation(db: pg.Pool, ref: string, userId: string): Promise<Record<string, unknown> | undefined> {
  const result = UUID.test(ref)
    ? await db.query<Record<string, unknown>>('SELECT * FROM conversations WHERE (id = $1::uuid OR conversation_id = $2) AND user_id = $3', [ref, ref, userId])
    : await db.query<Record<string, unknown>>('SELECT * FROM conversations WHERE conversation_id = $1 AND user_id = $2', [ref, userId]);
  return result.rows[0];
}

export async function findLiveFeedback(db: pg.Pool, conversationId: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>('SELECT * FROM feedback_sessions WHERE conversation_id = $1', [conversationId]);
  return result.rows[0];
}

/** One analyzer version's feedback, live or not, in the same shape as feedback_sessions. */
export async function findFeedbackOf(db: pg.Pool, conversationId: string, analyzer: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>(
    `SELECT s.id, i.user_id, i.scenario_id, i.conversation_id, s.score, i.completed_at, i.duration, t.data->'turns' AS transcript, s.analysis,
            split_part(s.analyzer, '@', 1) AS analyzer, split_part(s.analyzer, '@', 2)::integer AS analyzer_version,
            i.created_at, s.scored_at AS updated_at
       FROM feedback_scores s JOIN feedback_inputs i USING (conversation_id) JOIN events t ON t.position = i.transcript_position
      WHERE s.conversation_id = $1 AND s.analyzer = $2`,
    [conversationId, analyzer],
  );
  return result.rows[0];
}
