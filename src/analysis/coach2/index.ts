import { evaluateRubric, foldRubric, type RubricReport } from '../coach/criteria.js';
import { METRIC_NAMES, type Metrics } from '../coach/metrics.js';
import { parseRubric } from '../rubric.js';
import type { Analysis, AnalysisInput, AnalysisResult, Analyzer, FeedbackEvidence } from '../types.js';
import { codeConversation, type CodedTurn } from './conversation.js';
import { areasOf, strengthsOf } from './feedback.js';
import { insightsOf } from './insights.js';
import { measure, type Coach2Metrics } from './measures.js';
import { Detectors, type DetectorWeights } from './model.js';
import { score, type Component } from './scoring.js';
import { counterpartSentiment, type CounterpartSentiment } from './sentiment.js';
import shipped from './weights.json' with { type: 'json' };

// coach@2: the practitioner's reflections (simple, complex), questions (open, closed) and input
// (information, advice, goal setting, options), and the counterpart's change and sustain talk,
// found by detectors learnt from the experts' codes in AnnoMI (weights in weights.json, trained
// by `npm run train:coach2`), summed into MITI's summary measures and scored against MITI's
// published competency thresholds. Deterministic, local, single pass, no training at run time.

export interface Coach2Analysis extends Analysis {
  metrics: Coach2Metrics;
  /** Each MITI-anchored component, 0..1, that the scores average. */
  components: Record<Component, number>;
  counterpartSentiment: CounterpartSentiment;
  evidence: FeedbackEvidence;
  rubric?: RubricReport;
}

function roundComponents(c: Record<Component, number>): Record<Component, number> {
  const out = {} as Record<Component, number>;
  for (const k of Object.keys(c) as Component[]) out[k] = Math.round(c[k] * 1000) / 1000;
  return out;
}

function durationOf(input: AnalysisInput): number | null {
  const d = input.durationSeconds;
  return typeof d === 'number' && Number.isFinite(d) && d > 0 ? d : null;
}

/** Rubrics name coach@1's metrics; those coach@2 measures too mean the same, the others are "not measured". */
function asRubricMetrics(m: Coach2Metrics): Metrics {
  const out = {} as Metrics;
  for (const name of METRIC_NAMES) out[name] = name in m ? m[name as keyof Coach2Metrics] : null;
  return out;
}

function applyRubric(stored: unknown, metrics: Coach2Metrics, turns: readonly CodedTurn[], scores: ReturnType<typeof score>['scores']) {
  const parsed = parseRubric(stored);
  if (!parsed.ok) return { scores, rubric: { status: 'invalid', errors: parsed.errors } as RubricReport };
  // coach@2 reads no timestamps (nothing it measures needs them), so none are given to the rubric.
  const records = turns.map((t) => ({ index: t.index, side: t.side, tokens: t.tokens, seconds: null }));
  const outcome = evaluateRubric(parsed.rubric, asRubricMetrics(metrics), records);
  const rubric: RubricReport = {
    status: 'applied',
    score: outcome.score === null ? null : Math.round(outcome.score),
    weight: parsed.rubric.weight,
    criteria: outcome.criteria,
  };
  return { scores: foldRubric(scores, outcome, parsed.rubric.weight), rubric };
}

function analyzeWith(detectors: Detectors, input: AnalysisInput): AnalysisResult {
  const turns = codeConversation(input?.transcript, detectors);
  const metrics = measure(turns);
  const measured = score(metrics);
  let scores = measured.scores;
  let rubric: RubricReport | undefined;
  const stored = input?.context?.rubric;
  if (stored !== undefined && stored !== null) ({ scores, rubric } = applyRubric(stored, metrics, turns, scores));

  const sentiment = counterpartSentiment(turns, metrics, detectors);
  const strengths = strengthsOf(metrics, turns, detectors);
  const areas = areasOf(metrics, turns, detectors);
  const analysis: Coach2Analysis = {
    strengths: strengths.map((f) => f.text),
    areasForImprovement: areas.map((f) => f.text),
    keyInsights: insightsOf(metrics, sentiment, durationOf(input), rubric),
    ...scores,
    metrics,
    components: roundComponents(measured.components),
    counterpartSentiment: sentiment,
    evidence: { strengths: strengths.map((f) => f.evidence), areasForImprovement: areas.map((f) => f.evidence) },
  };
  if (rubric !== undefined) analysis.rubric = rubric;
  return { score: scores.overallScore, analysis };
}

/** coach@2 with the given detector weights: the shipped ones, or a cross-validation fold's. */
export function createCoach2(weights: DetectorWeights): Analyzer {
  // Built on first use: the detectors take about 25 MB, and every thread that loads the registry
  // (the service, its projection thread, each scoring thread) would pay for them whatever it runs.
  let detectors: Detectors | undefined;
  return {
    name: 'coach',
    version: 2,
    description:
      'MITI summary measures from detectors learnt on expert codes (reflections, questions, advice, change talk); scores on MITI thresholds, quoted evidence, counterpart sentiment.',
    analyze(input: AnalysisInput): AnalysisResult {
      try {
        detectors ??= new Detectors(weights);
        return analyzeWith(detectors, input);
      } catch (err) {
        // Never reached by any input the tests generate; kept so one unforeseen input cannot stop
        // the feedback pipeline. The analysis says so instead of pretending to have scored.
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
    },
  };
}

export const coach2: Analyzer = createCoach2(shipped as DetectorWeights);
