import type { AnnomiRow } from '../annomi.js';
import { coach } from '../coach/index.js';
import { auc, evaluateAnalyzer, leaveOneSourceOut, SCORE_NAMES, type Evaluation, type ScoreName } from '../evaluate.js';
import type { Analyzer } from '../types.js';
import { agreementOf, countAgreement, type CodeAgreement, type CodeCounts, type CodeName } from './agreement.js';
import { familiesOf, FAMILIES, goldClass } from './codes.js';
import { codeConversation, counterpartCodes, practitionerCodes, type CodedTurn } from './conversation.js';
import { createCoach2 } from './index.js';
import { measure, type Coach2Metrics } from './measures.js';
import { Detectors, probabilityAt } from './model.js';
import { score } from './scoring.js';
import { walk } from './walk.js';
import { TRAINING, trainDetectors, type TrainingSettings } from './train.js';

// The figures coach@2 is judged by, on the AnnoMI development set: for every score, the AUC in
// sample (detectors trained on every conversation, as shipped) beside the AUC leave-one-source-
// out (for each source video, detectors trained again without it, then scoring only it); and
// for every code, precision and recall the same two ways. coach@1 learns nothing from the data,
// so its two AUCs are the same figure; it stands beside coach@2 for comparison.

export interface ScoreFigures {
  analyzer: string;
  inSample: Evaluation;
  leaveOneSourceOut: Evaluation;
}

export interface Coach2Validation {
  conversations: number;
  sources: number;
  scores: ScoreFigures[];
  codes: { inSample: Record<CodeName, CodeAgreement>; leaveOneSourceOut: Record<CodeName, CodeAgreement> };
  /**
   * Per conversation, each MITI measure from the held-out detectors against the same measure from
   * the experts' codes: Pearson correlation and mean absolute difference (conversations where
   * both are measurable).
   */
  measures: Record<AgreedMeasure, { correlation: number; meanAbsoluteError: number; conversations: number }>;
  /** AUC of the same scores computed from the experts' codes instead of the detectors': the most better detectors could give. */
  expertCodes: Record<ScoreName, number>;
}

export const AGREED_MEASURES = ['reflectionToQuestionRatio', 'complexReflectionShare', 'openQuestionShare', 'miAdherence', 'changeTalkShare'] as const;
export type AgreedMeasure = (typeof AGREED_MEASURES)[number];

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function measureAgreement(detected: readonly Coach2Metrics[], expert: readonly Coach2Metrics[]): Coach2Validation['measures'] {
  const out = {} as Coach2Validation['measures'];
  for (const name of AGREED_MEASURES) {
    const pairs = detected.map((d, i) => [d[name], expert[i]![name]] as const).filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null);
    const xs = pairs.map((p) => p[0]);
    const ys = pairs.map((p) => p[1]);
    out[name] = {
      correlation: pearson(xs, ys),
      meanAbsoluteError: pairs.reduce((a, p) => a + Math.abs(p[0] - p[1]), 0) / pairs.length,
      conversations: pairs.length,
    };
  }
  return out;
}

/** A conversation coded by its expert labels, as if the detectors were perfect (certain of each label). */
export function expertCoded(row: AnnomiRow): CodedTurn[] {
  const turns: CodedTurn[] = walk(row.transcript);
  for (const t of turns) {
    if (t.side === 'other' || t.tokens.words.length === 0) continue;
    const families = familiesOf(t.side);
    const p = new Float64Array(families.reduce((n, f) => n + FAMILIES[f].classes.length, 0));
    for (const family of families) p[probabilityAt(family) + (goldClass(family, row.labels[t.index]) ?? 0)] = 1;
    if (t.side === 'user') t.user = practitionerCodes(t, p);
    else t.counterpart = counterpartCodes(t, p);
  }
  return turns;
}

function expertCodeAucs(rows: readonly AnnomiRow[]): Record<ScoreName, number> {
  const positives = rows.map((r) => r.quality === 'high');
  const scores = rows.map((r) => score(measure(expertCoded(r))).scores);
  return Object.fromEntries(
    SCORE_NAMES.map((n) => [
      n,
      auc(
        scores.map((s) => s[n]),
        positives,
      ),
    ]),
  ) as Record<ScoreName, number>;
}

/** The one source of `rows` that `training` lacks. */
function heldOutSource(rows: readonly AnnomiRow[], training: readonly AnnomiRow[]): string {
  const kept = new Set(training.map((r) => r.source));
  const held = [...new Set(rows.map((r) => r.source))].filter((s) => !kept.has(s));
  if (held.length !== 1) throw new Error(`expected one held-out source, found ${held.length}`);
  return held[0]!;
}

export function validateCoach2(
  rows: readonly AnnomiRow[],
  settings: TrainingSettings = TRAINING,
  onFold?: (done: number, total: number) => void,
): Coach2Validation {
  const sources = new Set(rows.map((r) => r.source)).size;
  const shipped = trainDetectors(rows, settings);
  const inSampleCodes = agreementOf(countAgreement(rows, new Detectors(shipped)));

  const heldOutCodes = new Map<CodeName, CodeCounts>();
  const heldOutMeasures = new Array<Coach2Metrics>(rows.length);
  let folds = 0;
  const fit = (training: AnnomiRow[]): Analyzer => {
    const weights = trainDetectors(training, settings);
    const held = heldOutSource(rows, training);
    const detectors = new Detectors(weights);
    countAgreement(
      rows.filter((r) => r.source === held),
      detectors,
      heldOutCodes,
    );
    rows.forEach((r, i) => {
      if (r.source === held) heldOutMeasures[i] = measure(codeConversation(r.transcript, detectors));
    });
    onFold?.(++folds, sources);
    return createCoach2(weights);
  };
  const coach2Loso = leaveOneSourceOut(rows, fit);

  const coach2 = createCoach2(shipped);
  return {
    conversations: rows.length,
    sources,
    scores: [
      { analyzer: 'coach@1', inSample: evaluateAnalyzer(coach, rows), leaveOneSourceOut: leaveOneSourceOut(rows, () => coach) },
      { analyzer: 'coach@2', inSample: evaluateAnalyzer(coach2, rows), leaveOneSourceOut: coach2Loso },
    ],
    codes: { inSample: inSampleCodes, leaveOneSourceOut: agreementOf(heldOutCodes) },
    measures: measureAgreement(
      heldOutMeasures,
      rows.map((r) => measure(expertCoded(r))),
    ),
    expertCodes: expertCodeAucs(rows),
  };
}
