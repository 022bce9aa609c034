import type { AnnomiRow } from '../annomi.js';
import { meanCorrelation } from '../validation/agreement.js';
import { SCORE_NAMES, type ScoreName } from '../evaluate.js';
import type { Learner } from '../validation/learner.js';
import { countAgreement } from './agreement.js';
import { AGREED_MEASURES, expertMeasures } from './expert.js';
import { createCoach2, type Coach2Analysis } from './index.js';
import { Detectors } from './model.js';
import { score } from './scoring.js';
import { TRAINING, trainDetectors, type TrainingSettings } from './train.js';

// coach@2 as the nested cross-validation fits it: its settings are the choices once made by hand
// on leave-one-source-out figures, now made inside each outer training set. Features: the
// vocabulary (words and pairs seen in at least `minCount` training turns); parameters: the L2
// penalty. The criterion is the one the choices were made by, read on codes alone, never quality:
// how well the detectors' per-conversation MITI measures follow the experts' (mean correlation).

export const PENALTIES = [1, 2, 5, 10, 20] as const;
export const MIN_COUNTS = [3, 6] as const;

export const COACH2_CANDIDATES: TrainingSettings[] = MIN_COUNTS.flatMap((minCount) => PENALTIES.map((l2) => ({ ...TRAINING, minCount, l2 })));

export function coach2Learner(candidates: readonly TrainingSettings[] = COACH2_CANDIDATES): Learner<TrainingSettings> {
  return {
    analyzer: 'coach@2',
    candidates,
    describe: (s) => `L2 ${s.l2}, features seen ≥ ${s.minCount}×`,
    run(training, scored, setting) {
      const weights = trainDetectors(training, setting);
      const analyzer = createCoach2(weights);
      const rows = scored.map((row) => {
        const { analysis } = analyzer.analyze({ transcript: row.transcript, durationSeconds: row.duration ?? null });
        const metrics = (analysis as Coach2Analysis).metrics;
        const scores = Object.fromEntries(SCORE_NAMES.map((n) => [n, analysis[n]])) as Record<ScoreName, number>;
        return { id: row.id, scores, measures: Object.fromEntries(AGREED_MEASURES.map((n) => [n, metrics[n]])) };
      });
      const codes = Object.fromEntries(countAgreement(scored, new Detectors(weights)));
      return { rows, codes };
    },
    criterion(results, rows: ReadonlyMap<string, AnnomiRow>) {
      const expert = results.map((r) => expertMeasures(rows.get(r.id)!));
      return meanCorrelation(
        results.map((r) => r.measures ?? {}),
        expert,
        AGREED_MEASURES,
      );
    },
  };
}

/**
 * Not an analyzer: coach@2's measures and scores computed from the experts' own codes, as if its
 * detectors were perfect. Reported beside the others as the most better detectors could give.
 */
export function expertCodesLearner(): Learner<null> {
  return {
    analyzer: "experts' codes, scored as coach@2",
    candidates: [null],
    describe: () => 'nothing to fit',
    run: (_training, scored) => ({ rows: scored.map((r) => ({ id: r.id, scores: score(expertMeasures(r)).scores })) }),
    criterion: () => 0,
  };
}
