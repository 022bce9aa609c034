import type { SourcedRow } from '../evaluate.js';

// Folds of whole source videos: transcripts cut from one video are all in a fold or all out of it,
// so nothing a model learns from one cut can be recognised in another. Sources holding a
// low-quality conversation are dealt round robin first, then the others, so that every fold gets
// its share of the few low-quality conversations (an AUC needs both kinds). Sources are taken in
// the order of their ids: arbitrary, but fixed, so the same rows always give the same folds.

export interface SourceRow extends SourcedRow {
  id: string;
}

export function sourcesOf(rows: readonly SourcedRow[]): string[] {
  return [...new Set(rows.map((r) => r.source))].sort();
}

/** Sources that hold at least one low-quality conversation. */
export function lowSources(rows: readonly SourcedRow[]): Set<string> {
  return new Set(rows.filter((r) => r.quality === 'low').map((r) => r.source));
}

/** `k` disjoint lists of sources covering every source of `rows` (fewer when there are fewer sources). */
export function groupedFolds(rows: readonly SourcedRow[], k: number): string[][] {
  const sources = sourcesOf(rows);
  const low = lowSources(rows);
  const ordered = [...sources.filter((s) => low.has(s)), ...sources.filter((s) => !low.has(s))];
  const n = Math.max(1, Math.min(k, sources.length));
  const folds: string[][] = Array.from({ length: n }, () => []);
  ordered.forEach((s, i) => folds[i % n]!.push(s));
  return folds.map((f) => f.sort());
}

/** The rows whose source is (or, with `inside` false, is not) in `sources`. */
export function rowsOf<R extends SourcedRow>(rows: readonly R[], sources: readonly string[], inside = true): R[] {
  const set = new Set(sources);
  return rows.filter((r) => set.has(r.source) === inside);
}
