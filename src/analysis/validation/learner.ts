import type { AnnomiRow } from '../annomi.js';
import type { CodeCounts, CodeName } from '../coach2/agreement.js';
import { SCORE_NAMES, type ScoreName } from '../evaluate.js';
import { analyzerId, type Analysis, type Analyzer } from '../types.js';

// What the nested cross-validation needs of an analyzer: settings to choose among, a way to fit
// one on some conversations and score others, and a criterion to choose by. Everything a run
// answers is plain data, so runs can be made in any order, in other threads, and put together
// afterwards without changing a figure.

/** One scored conversation. `measures` are whatever the learner's criterion reads. */
export interface RowResult {
  id: string;
  scores: Record<ScoreName, number>;
  measures?: Record<string, number | null>;
}

export interface RunResult {
  rows: RowResult[];
  /** Utterance codes against the experts', when the analyzer has detectors to count. */
  codes?: Partial<Record<CodeName, CodeCounts>>;
}

export interface Learner<S = unknown> {
  /** `name@version` of what it fits. */
  analyzer: string;
  /** The settings to choose among (features, penalties); one means there is nothing to choose. */
  candidates: readonly S[];
  describe(setting: S): string;
  /** Fits on `training` with `setting` and scores `scored` (never any of `training`). */
  run(training: readonly AnnomiRow[], scored: readonly AnnomiRow[], setting: S): RunResult;
  /**
   * How good a setting looks from conversations its fits never saw: higher is better. Given only
   * the inner folds' results; must not read quality labels if the choice is to stay blind to them.
   */
  criterion(results: readonly RowResult[], rows: ReadonlyMap<string, AnnomiRow>): number;
}

/** What a fixed analyzer's validation reports beside its scores: its utterance codes, its MITI measures. */
export interface FixedExtras {
  codes?: (scored: readonly AnnomiRow[]) => RunResult['codes'];
  measures?: (analysis: Analysis) => Record<string, number | null>;
}

/** An analyzer that fits nothing: one setting, and its scores are the same whatever it is trained on. */
export function fixedLearner(analyzer: Analyzer, extras: FixedExtras = {}): Learner<null> {
  return {
    analyzer: analyzerId(analyzer),
    candidates: [null],
    describe: () => 'nothing to fit',
    run: (_training, scored) => ({
      rows: scored.map((r) => {
        const { analysis } = analyzer.analyze({ transcript: r.transcript, durationSeconds: r.duration ?? null, recordings: r.recordings });
        const scores = Object.fromEntries(SCORE_NAMES.map((n) => [n, analysis[n]])) as Record<ScoreName, number>;
        return extras.measures ? { id: r.id, scores, measures: extras.measures(analysis) } : { id: r.id, scores };
      }),
      codes: extras.codes?.(scored),
    }),
    criterion: () => 0,
  };
}
