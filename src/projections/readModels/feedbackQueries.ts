import type pg from 'pg';

// What readers ask of the feedback read model. Both answers come from one view (feedback_versions),
// so a version's row and the live row have the same shape by construction.

const COLUMNS =
  'id, user_id, scenario_id, conversation_id, score, completed_at, duration, transcript, analysis, analyzer, analyzer_version, created_at, updated_at';

/** The live build's feedback (what feedback_sessions serves). */
export async function findLiveFeedback(db: pg.Pool, conversationId: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM feedback_sessions WHERE conversation_id = $1`, [conversationId]);
  return result.rows[0];
}

/** One analyzer version's feedback, live or not. */
export async function findFeedbackOf(db: pg.Pool, conversationId: string, analyzer: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM feedback_versions WHERE conversation_id = $1 AND analyzer_id = $2`, [
    conversationId,
    analyzer,
  ]);
  return result.rows[0];
}

// A live row's version: which build made it and when it was scored (microseconds, independent of
// the session's time zone). Live streams use it as the event id: a client that has it has the row.
const VERSION = `md5(analyzer || '@' || analyzer_version || ' ' || (extract(epoch FROM updated_at) * 1000000)::bigint)`;

/** The live feedback's version for each of these conversations that has feedback. */
export async function findLiveFeedbackVersions(db: pg.Pool, conversationIds: string[]): Promise<Map<string, string>> {
  const result = await db.query<{ conversation_id: string; version: string }>(
    `SELECT conversation_id, ${VERSION} AS version FROM feedback_sessions WHERE conversation_id = ANY($1::uuid[])`,
    [conversationIds],
  );
  return new Map(result.rows.map((r) => [r.conversation_id, r.version]));
}

/** The live feedback rows of these conversations, each with its version. */
export async function findLiveFeedbackRows(db: pg.Pool, conversationIds: string[]): Promise<Map<string, { version: string; row: Record<string, unknown> }>> {
  const result = await db.query<Record<string, unknown> & { version: string; conversation_id: string }>(
    `SELECT ${COLUMNS}, ${VERSION} AS version FROM feedback_sessions WHERE conversation_id = ANY($1::uuid[])`,
    [conversationIds],
  );
  return new Map(result.rows.map(({ version, ...row }) => [row.conversation_id, { version, row }]));
}
