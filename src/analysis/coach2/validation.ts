import type { AnnomiRow } from '../annomi.js';
import { coach } from '../coach/index.js';
import { evaluateAnalyzer, leaveOneSourceOut, type Evaluation } from '../evaluate.js';
import type { Analyzer } from '../types.js';
import { agreementOf, countAgreement, type CodeAgreement, type CodeCounts, type CodeName } from './agreement.js';
import { createCoach2 } from './index.js';
import { Detectors } from './model.js';
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
}

/** The one source of `rows` that `training` lacks. */
function heldOutSource(rows: readonly AnnomiRow[], training: readonly AnnomiRow[]): string {
  const kept = new Set(training.map((r) => r.source));
  const held = [...new Set(rows.map((r) => r.source))].filter((s) => !kept.has(s));
  if (held.length !== 1) throw new Error(`expected one held-out source, found ${held.length}`);
  return held[0]!;
}

export function validateCoach2(rows: readonly AnnomiRow[], settings: TrainingSettings = TRAINING, onFold?: (done: number, total: number) => void): Coach2Validation {
  const sources = new Set(rows.map((r) => r.source)).size;
  const shipped = trainDetectors(rows, settings);
  const inSampleCodes = agreementOf(countAgreement(rows, new Detectors(shipped)));

  const heldOutCodes = new Map<CodeName, CodeCounts>();
  let folds = 0;
  const fit = (training: AnnomiRow[]): Analyzer => {
    const weights = trainDetectors(training, settings);
    const held = heldOutSource(rows, training);
    countAgreement(rows.filter((r) => r.source === held), new Detectors(weights), heldOutCodes);
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
  };
}
