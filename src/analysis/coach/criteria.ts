import type { Criterion, Rubric } from '../rubric.js';
import { SKILL_SCORE_NAMES, type EvidenceQuote } from '../types.js';
import type { TurnRecord } from './conversation.js';
import type { Metrics } from './metrics.js';
import { quoteSentence, tokenize } from './tokenize.js';

// Scores a scenario's rubric against the measured conversation. Each criterion passes or fails
// (or cannot be measured, e.g. a response time without timestamps); the rubric's score is the
// weighted share passed among those measured.

export interface CriterionResult {
  name: string;
  weight: number;
  /** null: the conversation gave nothing to measure this by. */
  passed: boolean | null;
  /** The measured value: the metric, or how often the phrases were heard. */
  value: number | null;
  affects: Criterion['affects'];
  evidence: EvidenceQuote[];
}

/** Where phrases occur on one side, up to a few quotes for evidence. */
function countPhrases(records: readonly TurnRecord[], side: 'user' | 'counterpart', phrases: readonly string[]) {
  const compiled = phrases.map((p) => tokenize(p).words).filter((w) => w.length > 0);
  let count = 0;
  const evidence: EvidenceQuote[] = [];
  for (const r of records) {
    if (r.side !== side) continue;
    const words = r.tokens.words;
    for (let i = 0; i < words.length; i++) {
      for (const p of compiled) {
        let k = 0;
        while (k < p.length && words[i + k] === p[k]) k++;
        if (k < p.length) continue;
        count++;
        if (evidence.length < 3 && side === 'user') evidence.push({ turn: r.index, quote: quoteSentence(r.tokens, i) });
      }
    }
  }
  return { count, evidence };
}

function check(c: Criterion, metrics: Metrics, records: readonly TurnRecord[]): Pick<CriterionResult, 'passed' | 'value' | 'evidence'> {
  const k = c.check;
  if (k.kind === 'metric') {
    const value = metrics[k.metric];
    if (value === null) return { passed: null, value: null, evidence: [] };
    const passed = (k.min === undefined || value >= k.min) && (k.max === undefined || value <= k.max);
    return { passed, value, evidence: [] };
  }
  const { count, evidence } = countPhrases(records, k.speaker, k.phrases);
  const passed = k.kind === 'hear' ? count >= k.atLeast : count <= k.atMost;
  return { passed, value: count, evidence };
}

/** What the analysis says about the scenario's rubric. */
export type RubricReport = { status: 'applied'; score: number | null; weight: number; criteria: CriterionResult[] } | { status: 'invalid'; errors: string[] };

export interface RubricOutcome {
  /** Weighted share of measured criteria passed, 0..100, or null when none could be measured. */
  score: number | null;
  criteria: CriterionResult[];
}

export function evaluateRubric(rubric: Rubric, metrics: Metrics, records: readonly TurnRecord[]): RubricOutcome {
  const criteria = rubric.criteria.map((c) => ({ name: c.name, weight: c.weight, affects: c.affects, ...check(c, metrics, records) }));
  return { score: weightedPassShare(criteria), criteria };
}

export function weightedPassShare(criteria: readonly Pick<CriterionResult, 'passed' | 'weight'>[]): number | null {
  let total = 0;
  let passed = 0;
  for (const c of criteria) {
    if (c.passed === null) continue;
    total += c.weight;
    if (c.passed) passed += c.weight;
  }
  return total > 0 ? (100 * passed) / total : null;
}

/**
 * Folds the rubric into the scores: the overall score, and each sub-score a criterion names in
 * `affects`, becomes (1 - w) × measured + w × rubric share, with w the rubric's weight.
 */
export function foldRubric<S extends Record<'communicationScore' | 'empathyScore' | 'problemSolvingScore' | 'overallScore', number>>(
  scores: S,
  outcome: RubricOutcome,
  weight: number,
): S {
  const blend = (measured: number, share: number | null) => (share === null ? measured : Math.round((1 - weight) * measured + weight * share));
  const out = { ...scores, overallScore: blend(scores.overallScore, outcome.score) };
  for (const name of SKILL_SCORE_NAMES) {
    out[name] = blend(scores[name], weightedPassShare(outcome.criteria.filter((c) => c.affects.includes(name))));
  }
  return out;
}
