import type { AnnomiRow } from '../annomi.js';
import { auc } from '../evaluate.js';
import { sourcesOf } from './folds.js';

// Whether one source dominates: what share of the coded turns (what detectors learn from) the
// biggest sources hold and how little of it is low-quality talk; and how far the estimate moves
// when any one source is left out of it (a figure resting on one video moves a lot).

export interface SourceWeight {
  source: string;
  conversations: number;
  /** Share of all practitioner and counterpart turns. */
  turnShare: number;
}

export interface DominanceReport {
  sources: number;
  biggest: SourceWeight[];
  /** Share of all turns in the five biggest sources. */
  topFiveShare: number;
  /** Share of the practitioner turns that come from low-quality conversations. */
  lowQualityTurnShare: number;
  lowQualityConversations: number;
}

export function dominance(rows: readonly AnnomiRow[]): DominanceReport {
  const turns = new Map<string, number>();
  const conversations = new Map<string, number>();
  let total = 0;
  let userTurns = 0;
  let lowUserTurns = 0;
  for (const row of rows) {
    const n = row.transcript.filter((t) => t.role === 'user' || t.role === 'assistant').length;
    turns.set(row.source, (turns.get(row.source) ?? 0) + n);
    conversations.set(row.source, (conversations.get(row.source) ?? 0) + 1);
    total += n;
    const u = row.transcript.filter((t) => t.role === 'user').length;
    userTurns += u;
    if (row.quality === 'low') lowUserTurns += u;
  }
  const weights = sourcesOf(rows)
    .map((source) => ({ source, conversations: conversations.get(source)!, turnShare: turns.get(source)! / total }))
    .sort((a, b) => b.turnShare - a.turnShare || (a.source < b.source ? -1 : 1));
  return {
    sources: weights.length,
    biggest: weights.slice(0, 3),
    topFiveShare: weights.slice(0, 5).reduce((a, w) => a + w.turnShare, 0),
    lowQualityTurnShare: lowUserTurns / userTurns,
    lowQualityConversations: rows.filter((r) => r.quality === 'low').length,
  };
}

export interface Influence {
  /** Lowest and highest AUC with one source's conversations left out, and which source each drops. */
  min: { auc: number; without: string };
  max: { auc: number; without: string };
}

/** The AUC of `scores` (aligned with `rows`) with each source left out in turn. */
export function dropOneSource(rows: readonly AnnomiRow[], scores: readonly number[]): Influence {
  let min = { auc: Number.POSITIVE_INFINITY, without: '' };
  let max = { auc: Number.NEGATIVE_INFINITY, without: '' };
  for (const source of sourcesOf(rows)) {
    const keep = rows.map((r, i) => [r, i] as const).filter(([r]) => r.source !== source);
    const a = auc(
      keep.map(([, i]) => scores[i]!),
      keep.map(([r]) => r.quality === 'high'),
    );
    if (Number.isNaN(a)) continue;
    if (a < min.auc) min = { auc: a, without: source };
    if (a > max.auc) max = { auc: a, without: source };
  }
  return { min, max };
}
