import { parseRubric } from '../rubric.js';
import type { Analysis, AnalysisInput, AnalysisResult, Analyzer, FeedbackEvidence } from '../types.js';
import { walkConversation, type TurnRecord } from './conversation.js';
import { evaluateRubric, foldRubric, type RubricReport } from './criteria.js';
import { areasOf, strengthsOf } from './feedback.js';
import { insightsOf } from './insights.js';
import { measure, type Metrics } from './metrics.js';
import { score, type Components, type Scores } from './scoring.js';

// coach@1: codes what the practising person did, turn by turn, the way motivational-interviewing
// coders do (questions, reflections, advice, ...), measures how the counterpart responded, and
// scores and explains it with the person's own words. Deterministic, local, single pass.

export interface CoachAnalysis extends Analysis {
  metrics: Metrics;
  evidence: FeedbackEvidence;
  /** Present when the scenario carries a rubric (null or absent means none). */
  rubric?: RubricReport;
}

/** What coach@1 measured and scored, before it is written up: coach@3 writes up more of it. */
export interface CoachParts {
  records: TurnRecord[];
  metrics: Metrics;
  /** The components as measured, before the rubric folds in. */
  components: Components;
  scores: Scores;
  rubric?: RubricReport;
}

export function coachParts(input: AnalysisInput): CoachParts {
  const records = walkConversation(input?.transcript);
  const metrics = measure(records);
  const measured = score(metrics);
  let scores = measured.scores;

  let rubric: RubricReport | undefined;
  const stored = input?.context?.rubric;
  if (stored !== undefined && stored !== null) {
    const parsed = parseRubric(stored);
    if (parsed.ok) {
      const outcome = evaluateRubric(parsed.rubric, metrics, records);
      scores = foldRubric(scores, outcome, parsed.rubric.weight);
      rubric = {
        status: 'applied',
        score: outcome.score === null ? null : Math.round(outcome.score),
        weight: parsed.rubric.weight,
        criteria: outcome.criteria,
      };
    } else {
      rubric = { status: 'invalid', errors: parsed.errors };
    }
  }
  const parts: CoachParts = { records, metrics, components: measured.components, scores };
  if (rubric !== undefined) parts.rubric = rubric;
  return parts;
}

export function durationOf(input: AnalysisInput): number | null {
  const d = input.durationSeconds;
  return typeof d === 'number' && Number.isFinite(d) && d > 0 ? d : null;
}

/** coach@1's analysis from its parts: findings with quotes, insights, scores, metrics. */
export function coachAnalysisOf(input: AnalysisInput, parts: CoachParts): CoachAnalysis {
  const { records, metrics, scores, rubric } = parts;
  const strengths = strengthsOf(metrics, records);
  const areas = areasOf(metrics, records);
  const analysis: CoachAnalysis = {
    strengths: strengths.map((f) => f.text),
    areasForImprovement: areas.map((f) => f.text),
    keyInsights: insightsOf(metrics, durationOf(input), rubric),
    ...scores,
    metrics,
    evidence: { strengths: strengths.map((f) => f.evidence), areasForImprovement: areas.map((f) => f.evidence) },
  };
  if (rubric !== undefined) analysis.rubric = rubric;
  return analysis;
}

function analyzeCoach(input: AnalysisInput): AnalysisResult {
  const parts = coachParts(input);
  return { score: parts.scores.overallScore, analysis: coachAnalysisOf(input, parts) };
}

/** What an analyzer answers for an input it could not analyse (never reached by any tested input). */
export function failedAnalysis(err: unknown): AnalysisResult {
  const message = err instanceof Error ? err.message : String(err);
  return {
    score: 0,
    analysis: {
      strengths: [],
      areasForImprovement: [],
      keyInsights: ['This conversation could not be analysed.'],
      communicationScore: 0,
      empathyScore: 0,
      problemSolvingScore: 0,
      overallScore: 0,
      failed: message,
    },
  };
}

export const coach: Analyzer = {
  name: 'coach',
  version: 1,
  description: "Codes questions, reflections, advice and the counterpart's response (MITI-style); scores skills with quoted evidence.",

  analyze(input: AnalysisInput): AnalysisResult {
    try {
      return analyzeCoach(input);
    } catch (err) {
      // Never reached by any input the tests generate; kept so one unforeseen input cannot stop
      // the feedback pipeline. The analysis says so instead of pretending to have scored.
      return failedAnalysis(err);
    }
  },
};
