import { coachAnalysisOf, coachParts, failedAnalysis, type CoachAnalysis } from '../coach/index.js';
import type { AnalysisInput, AnalysisResult, Analyzer, FeedbackEvidence } from '../types.js';
import { mitiInsight } from './insight.js';
import { mitiReport, type MitiReport } from './miti.js';
import { scoreEvidence, type ScoreEvidence } from './scoreEvidence.js';
import { utteranceCodes } from './utterances.js';

// coach@3: coach@1's scores, unchanged for every input (they are the best measured: see
// src/analysis/README.md), explained further: each skill score's components with the utterances
// that raised or lowered them (`evidence.scores`), and MITI's global counts of the conversation
// (`miti`: questions open and closed, reflections simple and complex, R:Q, %OQ, %CR, each against
// the manual's thresholds), from utterance-level codes whose agreement with experts is measured.
// A new version rather than a change to coach@1, whose output users have seen.

export interface Coach3Analysis extends CoachAnalysis {
  miti: MitiReport;
  evidence: FeedbackEvidence & { scores: ScoreEvidence };
}

function analyzeCoach3(input: AnalysisInput): AnalysisResult {
  const parts = coachParts(input);
  const base = coachAnalysisOf(input, parts);
  const miti = mitiReport(utteranceCodes(parts.records));
  const line = mitiInsight(miti);
  const analysis: Coach3Analysis = {
    ...base,
    keyInsights: line === null ? base.keyInsights : [...base.keyInsights.slice(0, 2), line, ...base.keyInsights.slice(2)],
    miti,
    evidence: { ...base.evidence, scores: scoreEvidence(parts.components, parts.records) },
  };
  return { score: parts.scores.overallScore, analysis };
}

export const coach3: Analyzer = {
  name: 'coach',
  version: 3,
  description:
    "coach@1's scores, each skill explained by the utterances that raised or lowered it; MITI global counts (R:Q, open questions, complex reflections) against the manual's thresholds.",

  analyze(input: AnalysisInput): AnalysisResult {
    try {
      return analyzeCoach3(input);
    } catch (err) {
      // Never reached by any input the tests generate; kept so one unforeseen input cannot stop
      // the feedback pipeline.
      return failedAnalysis(err);
    }
  },
};
