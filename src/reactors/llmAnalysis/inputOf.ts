import type { AnalysisInput, ScenarioContext, Turn } from '../../analysis/types.js';
import type { AwaitingAnswer } from './awaitingAnswers.js';

/**
 * What the prompt is built from: the transcript and context exactly as feedback scoring reads them
 * (src/projections/readModels/feedback.ts), so the answer is recorded for what gets scored.
 */
export function inputOf(row: Pick<AwaitingAnswer, 'transcript' | 'context'>): Pick<AnalysisInput, 'transcript' | 'context'> {
  const c = JSON.parse(row.context) as { name?: string; description?: string | null; rubric?: unknown };
  const context: ScenarioContext = { name: c.name, description: c.description ?? undefined, rubric: c.rubric ?? undefined };
  return { transcript: JSON.parse(row.transcript) as Turn[], context };
}
