import type { AnnomiRow } from '../annomi.js';
import { agreementOf as codeAgreementOf, type CodeAgreement, type CodeCounts, type CodeName } from '../coach2/agreement.js';
import { auc, SCORE_NAMES, type ScoreName } from '../evaluate.js';
import { aucDifference, aucInterval, predictionInterval, sourceResamples, type Interval } from './bootstrap.js';
import type { RowResult } from './learner.js';

// From scored conversations to the figures `npm run validate` prints: each score's AUC with its
// bootstrap interval, differences between analyzers on the same resamples, and precision and
// recall per utterance code. Pure: the same results give the same figures.

export type ScoreIntervals = Record<ScoreName, Interval>;

export interface Figures {
  resamples: number[][];
  positives: boolean[];
  /** `results` in the order of the rows the resamples index. */
  aligned(results: readonly RowResult[], score: ScoreName): number[];
}

export function figuresFor(rows: readonly AnnomiRow[], resampleCount?: number, seed?: number): Figures {
  const at = new Map(rows.map((r, i) => [r.id, i]));
  return {
    resamples: sourceResamples(rows, resampleCount, seed),
    positives: rows.map((r) => r.quality === 'high'),
    aligned(results, score) {
      if (results.length !== rows.length) throw new Error(`expected ${rows.length} scored conversations, got ${results.length}`);
      const out = new Array<number>(rows.length);
      for (const r of results) out[at.get(r.id)!] = r.scores[score];
      return out;
    },
  };
}

export function intervals(f: Figures, results: readonly RowResult[]): ScoreIntervals {
  return Object.fromEntries(SCORE_NAMES.map((n) => [n, aucInterval(f.aligned(results, n), f.positives, f.resamples)])) as ScoreIntervals;
}

export function plainAucs(f: Figures, results: readonly RowResult[]): Record<ScoreName, number> {
  return Object.fromEntries(SCORE_NAMES.map((n) => [n, auc(f.aligned(results, n), f.positives)])) as Record<ScoreName, number>;
}

export function differences(f: Figures, a: readonly RowResult[], b: readonly RowResult[]): Record<ScoreName, Interval & { aWins: number }> {
  return Object.fromEntries(SCORE_NAMES.map((n) => [n, aucDifference(f.aligned(a, n), f.aligned(b, n), f.positives, f.resamples)])) as Record<
    ScoreName,
    Interval & { aWins: number }
  >;
}

export function codeFigures(codes: Partial<Record<CodeName, CodeCounts>>): Record<CodeName, CodeAgreement> {
  return codeAgreementOf(new Map(Object.entries(codes) as [CodeName, CodeCounts][]));
}

/** Per score, where a held-back set of `size` conversations would likely put the AUC. */
export function heldBackIntervals(f: Figures, results: readonly RowResult[], size: { high: number; low: number }): ScoreIntervals {
  return Object.fromEntries(SCORE_NAMES.map((n) => [n, predictionInterval(f.aligned(results, n), f.positives, f.resamples, size)])) as ScoreIntervals;
}
