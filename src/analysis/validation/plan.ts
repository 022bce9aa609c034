import type { SourcedRow } from '../evaluate.js';
import { groupedFolds, rowsOf, sourcesOf } from './folds.js';

// The runs a nested cross-validation makes, decided before any is made. Outer folds hold sources
// out to estimate; inside each outer training set, inner folds hold sources out again to choose
// a setting. An inner run trains and scores only sources of its outer training set, so the choice
// for an outer fold is made without ever seeing that fold's conversations. Every candidate is also
// run on the outer folds: the nested estimate uses only the chosen one's, the rest show what
// choosing on the scoring folds themselves (the old, optimistic way) would have reported.

export interface NestedOptions {
  outerFolds: number;
  innerFolds: number;
}

export const NESTED: NestedOptions = { outerFolds: 10, innerFolds: 4 };

export interface Job {
  index: number;
  outer: number;
  /** The inner fold it scores, null for a run on the outer fold. */
  inner: number | null;
  candidate: number;
  /** Sources it trains on and sources it scores: disjoint. */
  train: string[];
  score: string[];
}

export interface Plan {
  /** Sources held out by each outer fold. */
  outer: string[][];
  /** Per outer fold, the sources each of its inner folds holds out (all within its training set). */
  inner: string[][][];
  jobs: Job[];
}

export function nestedPlan(rows: readonly SourcedRow[], candidates: number, options: NestedOptions = NESTED): Plan {
  const all = sourcesOf(rows);
  const outer = groupedFolds(rows, options.outerFolds);
  const inner: string[][][] = [];
  const jobs: Job[] = [];
  const add = (job: Omit<Job, 'index'>) => jobs.push({ index: jobs.length, ...job });
  outer.forEach((heldOut, f) => {
    const held = new Set(heldOut);
    const training = all.filter((s) => !held.has(s));
    // With one candidate there is nothing to choose, so no inner runs.
    const folds = candidates > 1 ? groupedFolds(rowsOf(rows, heldOut, false), options.innerFolds) : [];
    inner.push(folds);
    folds.forEach((innerHeld, g) => {
      const out = new Set(innerHeld);
      for (let c = 0; c < candidates; c++) add({ outer: f, inner: g, candidate: c, train: training.filter((s) => !out.has(s)), score: innerHeld });
    });
    for (let c = 0; c < candidates; c++) add({ outer: f, inner: null, candidate: c, train: training, score: heldOut });
  });
  return { outer, inner, jobs };
}

/**
 * The old procedure's runs: each source held out once, every run with one fixed setting (the one
 * chosen by looking at these same runs). Kept to reproduce the figure it reported.
 */
export function leaveOneSourceOutPlan(rows: readonly SourcedRow[]): Plan {
  const all = sourcesOf(rows);
  const jobs = all.map((s, f) => ({ index: f, outer: f, inner: null, candidate: 0, train: all.filter((t) => t !== s), score: [s] }));
  return { outer: all.map((s) => [s]), inner: all.map(() => []), jobs };
}
