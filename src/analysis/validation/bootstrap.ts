import { auc } from '../evaluate.js';
import type { SourcedRow } from '../evaluate.js';
import { lowSources, sourcesOf } from './folds.js';

// How far an AUC could be from what the same analyzer would reach on other conversations like
// these: resample whole source videos with replacement (conversations cut from one video are not
// independent), within two strata, sources that hold a low-quality conversation and sources that
// do not, so every resample keeps as many low-quality sources as the data (an AUC needs both).
// The interval is the middle 95% of the resampled AUCs (percentile bootstrap). A seeded generator
// makes every run print the same figures.

export const RESAMPLES = 2000;
export const SEED = 24;

/** mulberry32: a small, fast, seeded generator of floats in [0, 1); enough for resampling. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each resample as the indices of `rows` it holds (a row appears once per time its source was drawn). */
export function sourceResamples(rows: readonly SourcedRow[], count = RESAMPLES, seed = SEED): number[][] {
  const random = seeded(seed);
  const low = lowSources(rows);
  const sources = sourcesOf(rows);
  const strata = [sources.filter((s) => low.has(s)), sources.filter((s) => !low.has(s))];
  const rowsBySource = new Map<string, number[]>();
  rows.forEach((r, i) => rowsBySource.set(r.source, [...(rowsBySource.get(r.source) ?? []), i]));
  const out: number[][] = [];
  for (let b = 0; b < count; b++) {
    const picked: number[] = [];
    for (const stratum of strata) {
      for (let k = 0; k < stratum.length; k++) picked.push(...rowsBySource.get(stratum[Math.floor(random() * stratum.length)]!)!);
    }
    out.push(picked);
  }
  return out;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function interval(estimate: number, draws: number[]): Interval {
  const finite = draws.filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
  return { estimate, low: percentile(finite, 0.025), high: percentile(finite, 0.975) };
}

function aucOf(scores: readonly number[], positives: readonly boolean[], pick: readonly number[]): number {
  return auc(
    pick.map((i) => scores[i]!),
    pick.map((i) => positives[i]!),
  );
}

/** The AUC of `scores` (aligned with the rows the resamples index) and its 95% interval. */
export function aucInterval(scores: readonly number[], positives: readonly boolean[], resamples: readonly number[][]): Interval {
  return interval(
    auc(scores, positives),
    resamples.map((pick) => aucOf(scores, positives, pick)),
  );
}

/**
 * AUC of `a` minus AUC of `b` on the same conversations, with its interval from the same
 * resamples (paired, so what both find hard cancels out), and the share of resamples where `a` wins.
 */
export function aucDifference(
  a: readonly number[],
  b: readonly number[],
  positives: readonly boolean[],
  resamples: readonly number[][],
): Interval & { aWins: number } {
  const draws = resamples.map((pick) => aucOf(a, positives, pick) - aucOf(b, positives, pick));
  const finite = draws.filter((d) => !Number.isNaN(d));
  return { ...interval(auc(a, positives) - auc(b, positives), draws), aWins: finite.filter((d) => d > 0).length / finite.length };
}

/**
 * Where the AUC of a new set of `high` and `low` conversations like these would likely fall: for
 * each resample of sources (the estimate's own uncertainty), a set of that size drawn from its
 * conversations (the new set's); the middle 95% of the AUCs. Wider than the interval of the
 * estimate: it is what a single held-back set can show.
 */
export function predictionInterval(
  scores: readonly number[],
  positives: readonly boolean[],
  resamples: readonly number[][],
  size: { high: number; low: number },
  seed = SEED + 1,
): Interval {
  const random = seeded(seed);
  const draws = resamples.map((pick) => {
    const highs = pick.filter((i) => positives[i]);
    const lows = pick.filter((i) => !positives[i]);
    const s: number[] = [];
    const p: boolean[] = [];
    for (let k = 0; k < size.high; k++) {
      s.push(scores[highs[Math.floor(random() * highs.length)]!]!);
      p.push(true);
    }
    for (let k = 0; k < size.low; k++) {
      s.push(scores[lows[Math.floor(random() * lows.length)]!]!);
      p.push(false);
    }
    return auc(s, p);
  });
  return interval(auc(scores, positives), draws);
}
