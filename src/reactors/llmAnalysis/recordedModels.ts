import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';

// The models that answered llm@1's recordings. Two probes of an index (migration 0013), however
// many recordings: one model means min = max.
const SQL = `
SELECT min(data->>'model') AS first, max(data->>'model') AS last
  FROM events
 WHERE type = 'AnalysisRecorded' AND data->>'analyzer' = $1`;

/** A model other than `model` that answered llm@1 before, or null when there is none. */
export async function otherRecordedModel(db: pg.Pool | pg.PoolClient, model: string): Promise<string | null> {
  const { rows } = await db.query<{ first: string | null; last: string | null }>(SQL, [LLM_ANALYZER_ID]);
  const { first, last } = rows[0]!;
  if (first !== null && first !== model) return first;
  if (last !== null && last !== model) return last;
  return null;
}

export class ModelChangedError extends Error {
  override name = 'ModelChangedError';
  constructor(
    readonly configured: string,
    readonly recorded: string,
  ) {
    super(
      `LLM_MODEL is ${configured}, but ${LLM_ANALYZER_ID}'s answers in the history came from ${recorded}: another model's answers are ` +
        `not comparable, so ${LLM_ANALYZER_ID} will not ask it. Set LLM_MODEL=${recorded} again, or make a new analyzer version for the new model.`,
    );
  }
}

export async function checkModel(db: pg.Pool | pg.PoolClient, model: string): Promise<void> {
  const other = await otherRecordedModel(db, model);
  if (other !== null) throw new ModelChangedError(model, other);
}
