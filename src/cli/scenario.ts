import type pg from 'pg';
import { parseRubric } from '../analysis/rubric.js';

export interface ScenarioInput {
  name: string;
  /** A UUID (the CLI checks it); none draws a fresh one. */
  id?: string;
  description?: string;
  /** JSON text of the rubric. */
  rubric?: string;
}

/** Adds a scenario, or replaces the one with the given id; answers its id. */
export async function addScenario(pool: pg.Pool, input: ScenarioInput): Promise<string> {
  let rubric: unknown = null;
  if (input.rubric !== undefined) {
    try {
      rubric = JSON.parse(input.rubric);
    } catch (err) {
      throw new Error(`--rubric is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const checked = parseRubric(rubric);
    if (!checked.ok) throw new Error(`--rubric is not a valid rubric:\n  ${checked.errors.join('\n  ')}`);
  }
  const result = await pool.query<{ id: string }>(
    `INSERT INTO scenarios (id, name, description, rubric) VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, rubric = excluded.rubric, updated_at = now()
     RETURNING id`,
    [input.id ?? null, input.name, input.description ?? null, rubric === null ? null : JSON.stringify(rubric)],
  );
  return result.rows[0]!.id;
}
