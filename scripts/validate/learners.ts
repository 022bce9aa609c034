import type { AnnomiRow } from '../../src/analysis/annomi.js';
import { coach2Learner, expertCodesLearner } from '../../src/analysis/coach2/learner.js';
import { countMitiAgreement } from '../../src/analysis/coach3/agreement.js';
import type { Coach3Analysis } from '../../src/analysis/coach3/index.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { fixedLearner, type Learner } from '../../src/analysis/validation/learner.js';

// Every analyzer `npm run validate` judges, as learners, by id: the script and its worker threads
// build them the same way. llm@1 is not among them: its answers for the development set are not
// recorded (`tavus-feedback evaluate --analyzer llm@1 --recordings FILE` measures it).

export const VALIDATED = ['baseline@1', 'coach@1', 'coach@2', 'coach@3'] as const;
export type Validated = (typeof VALIDATED)[number];

export function learnerOf(id: Validated): Learner<unknown> {
  if (id === 'coach@2') return coach2Learner();
  if (id === 'coach@3') {
    return fixedLearner(findAnalyzer(id)!, {
      codes: countMitiAgreement,
      measures: (analysis) => {
        const m = (analysis as Coach3Analysis).miti;
        return {
          reflectionToQuestionRatio: m.reflectionToQuestionRatio,
          complexReflectionShare: m.complexReflectionShare,
          openQuestionShare: m.openQuestionShare,
        };
      },
    });
  }
  return fixedLearner(findAnalyzer(id)!);
}

/** Not an analyzer, shown beside them: coach@2's scoring of the experts' own codes. */
export const reference = expertCodesLearner;

/** Rows by source, for a run that names its sources. */
export function bySource(rows: readonly AnnomiRow[]): (sources: readonly string[]) => AnnomiRow[] {
  return (sources) => {
    const set = new Set(sources);
    return rows.filter((r) => set.has(r.source));
  };
}
