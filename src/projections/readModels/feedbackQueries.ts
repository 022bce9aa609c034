import type pg from 'pg';

// What readers ask of the feedback read model. Both answers come from one view (feedback_versions),
// so a version's row and the live row have the same shape by construction.

const COLUMNS = 'id, user_id, scenario_id, conversation_id, score, completed_at, duration, transcript, analysis, analyzer, analyzer_version, created_at, updated_at';

/** The live build's feedback (what feedback_sessions serves). */
export async function findLiveFeedback(db: pg.Pool, conversationId: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM feedback_sessions WHERE conversation_id = $1`, [conversationId]);
  return result.rows[0];
}

/** One analyzer version's feedback, live or not. */
export async function findFeedbackOf(db: pg.Pool, conversationId: string, analyzer: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM feedback_versions WHERE conversation_id = $1 AND analyzer_id = $2`, [conversationId, analyzer]);
  return result.rows[0];
}
