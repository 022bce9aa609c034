import type { AnnomiRow } from '../../src/analysis/annomi.js';
import { coach2Learner } from '../../src/analysis/coach2/learner.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { fixedLearner, type Learner } from '../../src/analysis/validation/learner.js';

// Every analyzer `npm run validate` judges, as learners, by id: the script and its worker threads
// build them the same way. llm@1 is not among them: its answers for the development set are not
// recorded (`tavus-feedback evaluate --analyzer llm@1 --recordings FILE` measures it).

export const VALIDATED = ['baseline@1', 'coach@1', 'coach@2'] as const;
export type Validated = (typeof VALIDATED)[number];

export function learnerOf(id: Validated): Learner<unknown> {
  if (id === 'coach@2') return coach2Learner();
  return fixedLearner(findAnalyzer(id)!);
}

/** Rows by source, for a run that names its sources. */
export function bySource(rows: readonly AnnomiRow[]): (sources: readonly string[]) => AnnomiRow[] {
  return (sources) => {
    const set = new Set(sources);
    return rows.filter((r) => set.has(r.source));
  };
}
