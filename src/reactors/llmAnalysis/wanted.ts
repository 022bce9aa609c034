import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';

// Asking costs money, so the reactor asks only while llm@1's answers are used: llm@1 serves
// feedback_sessions, or a rebuild of it is under way. A build of it kept for a rollback is not
// kept up to date (no build that is not live is), so it asks nothing.
const SQL = `
SELECT coalesce((SELECT analyzer FROM feedback_live), '') = $1
    OR EXISTS (SELECT 1 FROM feedback_builds WHERE analyzer = $1 AND status = 'building') AS wanted`;

export async function llmAnswersWanted(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await db.query<{ wanted: boolean }>(SQL, [LLM_ANALYZER_ID]);
  return rows[0]!.wanted;
}
