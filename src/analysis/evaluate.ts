import { analyzerId, type Analyzer, type RecordedAnswer, type Turn } from './types.js';

// How well an analyzer's scores separate conversations that experts rated high quality from
// low quality. AUC is the chance that a random high-quality conversation outscores a random
// low-quality one (ties count half): 0.5 is chance, 1 is perfect. Pure: rows in, numbers out.

/** Mann-Whitney AUC of `scores` for telling `positives` from the rest; NaN with no pair to compare. */
export function auc(scores: readonly number[], positives: readonly boolean[]): number {
  if (scores.length !== positives.length) throw new Error(`auc: ${scores.length} scores but ${positives.length} labels`);
  // Rank-sum form, O(n log n): sort, give tied scores their mean rank, sum the positives' ranks.
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = mean;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < positives.length; i++) {
    if (positives[i]) {
      nPos++;
      rankSum += ranks[i]!;
    }
  }
  const nNeg = positives.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface EvaluationRow {
  transcript: Turn[];
  duration?: number | null;
  quality: 'high' | 'low';
  /** Answers recorded for this transcript, for an analyzer that reads them (llm@1). */
  recordings?: readonly RecordedAnswer[];
}

import { SCORE_NAMES, type ScoreName } from './types.js';

export { SCORE_NAMES, type ScoreName };

export interface Evaluation {
  analyzer: string;
  rows: number;
  high: number;
  low: number;
  /** AUC per score for high versus low quality. */
  auc: Record<ScoreName, number>;
  /** Mean of each score per quality label. */
  means: Record<'high' | 'low', Record<ScoreName, number>>;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function scoresOf(analyzer: Analyzer, row: EvaluationRow): Record<ScoreName, number> {
  const { analysis } = analyzer.analyze({ transcript: row.transcript, durationSeconds: row.duration ?? null, recordings: row.recordings });
  return Object.fromEntries(SCORE_NAMES.map((n) => [n, analysis[n]])) as Record<ScoreName, number>;
}

export function evaluateAnalyzer(analyzer: Analyzer, rows: readonly EvaluationRow[]): Evaluation {
  return evaluationOf(
    analyzerId(analyzer),
    rows,
    rows.map((row) => scoresOf(analyzer, row)),
  );
}

/** A row of the development set with the source video it was cut from. */
export interface SourcedRow extends EvaluationRow {
  source: string;
}

/**
 * Leave-one-source-out: for each source video, `fit` gets every row of the other sources and
 * answers an analyzer, which then scores the held-out source's rows only. The AUC is taken over
 * all rows so scored, each by an analyzer that never saw its source (a source holds one to
 * three conversations, too few for an AUC of its own). An analyzer that learns nothing gives
 * its in-sample figures.
 */
export function leaveOneSourceOut<R extends SourcedRow>(rows: readonly R[], fit: (training: R[]) => Analyzer): Evaluation {
  const scores = new Array<Record<ScoreName, number>>(rows.length);
  let name = '';
  for (const source of new Set(rows.map((r) => r.source))) {
    const analyzer = fit(rows.filter((r) => r.source !== source));
    name = analyzerId(analyzer);
    rows.forEach((row, i) => {
      if (row.source === source) scores[i] = scoresOf(analyzer, row);
    });
  }
  return evaluationOf(name, rows, scores);
}

function evaluationOf(analyzer: string, rows: readonly EvaluationRow[], scores: readonly Record<ScoreName, number>[]): Evaluation {
  const positives = rows.map((r) => r.quality === 'high');
  const byScore = Object.fromEntries(SCORE_NAMES.map((n) => [n, scores.map((s) => s[n])])) as Record<ScoreName, number[]>;
  const aucs = {} as Record<ScoreName, number>;
  const means = { high: {}, low: {} } as Evaluation['means'];
  for (const name of SCORE_NAMES) {
    const values = byScore[name];
    aucs[name] = auc(values, positives);
    means.high[name] = mean(values.filter((_, i) => positives[i]));
    means.low[name] = mean(values.filter((_, i) => !positives[i]));
  }
  const high = positives.filter(Boolean).length;
  return { analyzer, rows: rows.length, high, low: rows.length - high, auc: aucs, means };
}

export interface AucStability {
  /** Lowest and highest AUC with any one conversation left out. */
  leaveOneOut: { min: number; max: number };
  /** AUC on each of k stratified folds (conversations dealt in order, by label, round robin). */
  folds: number[];
}

/**
 * How much an AUC depends on which conversations happen to be in the set. The analyzers fit no
 * parameters to the data, so cross-validation reduces to scoring disjoint folds; a wide spread
 * means the figure rests on a few conversations.
 */
export function aucStability(scores: readonly number[], positives: readonly boolean[], k = 5): AucStability {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const a = auc(
      scores.filter((_, j) => j !== i),
      positives.filter((_, j) => j !== i),
    );
    if (Number.isNaN(a)) continue;
    min = Math.min(min, a);
    max = Math.max(max, a);
  }
  const foldOf: number[] = [];
  let pos = 0;
  let neg = 0;
  for (const p of positives) foldOf.push(p ? pos++ % k : neg++ % k);
  const folds: number[] = [];
  for (let f = 0; f < k; f++) {
    const idx = foldOf.flatMap((g, i) => (g === f ? [i] : []));
    folds.push(
      auc(
        idx.map((i) => scores[i]!),
        idx.map((i) => positives[i]!),
      ),
    );
  }
  return { leaveOneOut: { min, max }, folds };
}
