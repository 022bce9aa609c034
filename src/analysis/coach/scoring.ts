import type { Metrics } from './metrics.js';

// From measured behaviour to 0..100 scores. The anchors are the published MITI proficiency
// thresholds where one exists (reflections to questions 1:1 fair, 2:1 good; half the questions
// open fair, 70% good) and plain conversational sense elsewhere (the person practising should
// not do most of the talking). Weights are round numbers chosen before looking at any result,
// so the score is explainable and not tuned to one data set.

/** 0 at `lo`, 1 at `hi`, linear between; works for falling ramps too (lo > hi). */
export function ramp(value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value)) return 0;
  const t = (value - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/** Unmeasured components count as middling: no evidence either way. */
const NEUTRAL = 0.5;

function or(value: number | null, fallback: number, f: (v: number) => number): number {
  return value === null ? fallback : f(value);
}

export interface Components {
  reflectiveListening: number;
  reflectionToQuestions: number;
  affirming: number;
  adviceRestraint: number;
  inputRestraint: number;
  openQuestions: number;
  talkBalance: number;
  monologue: number;
  fluency: number;
  engagement: number;
  evokingChange: number;
  planning: number;
  openingUp: number;
  sentimentTrend: number;
}

export interface Scores {
  communicationScore: number;
  empathyScore: number;
  problemSolvingScore: number;
  overallScore: number;
}

export function components(m: Metrics): Components {
  const substantive = Math.max(1, (m.userTurns ?? 0) - (m.backchannels ?? 0));
  const talk = m.talkShare;
  return {
    reflectiveListening: or(m.reflectionShare, 0, (v) => ramp(v, 0.1, 0.45)),
    reflectionToQuestions: m.reflectionToQuestionRatio === null ? ((m.reflections ?? 0) > 0 ? 1 : 0) : ramp(m.reflectionToQuestionRatio, 0.3, 2),
    affirming: ramp((m.affirmations ?? 0) / substantive, 0, 0.08),
    adviceRestraint: 1 - ramp((m.unsolicitedAdvice ?? 0) / substantive, 0.03, 0.25),
    inputRestraint: or(m.inputShare, NEUTRAL, (v) => 1 - ramp(v, 0.1, 0.4)),
    openQuestions: or(m.openQuestionShare, NEUTRAL, (v) => ramp(v, 0.2, 0.7)),
    // Best between 15% and 50% of the words: enough to guide, little enough to listen.
    talkBalance: talk === null ? 0 : talk < 0.15 ? ramp(talk, 0.02, 0.15) : 1 - ramp(talk, 0.5, 0.8),
    monologue: 1 - ramp(m.longestMonologueWords ?? 0, 120, 400),
    fluency: 1 - 0.5 * ramp(m.fillersPer100Words ?? 0, 2, 8) - 0.5 * ramp(m.hedgesPer100Words ?? 0, 2, 6),
    engagement: ramp(m.userTurns ?? 0, 1, 10),
    evokingChange: or(m.changeTalkShare, NEUTRAL, (v) => ramp(v, 0.3, 0.8)),
    planning: 0.6 * ramp(m.nextStepTurns ?? 0, 0, 2) + 0.4 * ramp(m.summaries ?? 0, 0, 2),
    openingUp: or(m.counterpartOpeningUp, NEUTRAL, (v) => ramp(v, 0.6, 1.4)),
    sentimentTrend: or(m.counterpartSentimentTrend, NEUTRAL, (v) => ramp(v, -1, 1)),
  };
}

export function clampScore(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(100, Math.round(value)));
}

/** What each skill score is made of: its components and their weights (each skill's add up to 1). */
export const SKILL_WEIGHTS = {
  empathyScore: [
    ['reflectiveListening', 0.4],
    ['reflectionToQuestions', 0.2],
    ['affirming', 0.1],
    ['adviceRestraint', 0.15],
    ['openingUp', 0.15],
  ],
  communicationScore: [
    ['talkBalance', 0.25],
    ['openQuestions', 0.2],
    ['monologue', 0.15],
    ['fluency', 0.15],
    ['engagement', 0.1],
    ['inputRestraint', 0.15],
  ],
  problemSolvingScore: [
    ['evokingChange', 0.3],
    ['openQuestions', 0.2],
    ['planning', 0.2],
    ['inputRestraint', 0.15],
    ['sentimentTrend', 0.15],
  ],
} as const satisfies Record<Exclude<keyof Scores, 'overallScore'>, readonly (readonly [keyof Components, number])[]>;

export type SkillScore = keyof typeof SKILL_WEIGHTS;

/** The weighted sum, added left to right from 0 (the same floating-point result as writing it out). */
function weighted(c: Components, parts: readonly (readonly [keyof Components, number])[]): number {
  let sum = 0;
  for (const [name, weight] of parts) sum += weight * c[name];
  return sum;
}

export function score(m: Metrics): { scores: Scores; components: Components } {
  const c = components(m);
  // Nobody to score: a transcript where the person never spoke earns nothing.
  if ((m.userWords ?? 0) === 0) {
    return { scores: { communicationScore: 0, empathyScore: 0, problemSolvingScore: 0, overallScore: 0 }, components: c };
  }
  const empathy = weighted(c, SKILL_WEIGHTS.empathyScore);
  const communication = weighted(c, SKILL_WEIGHTS.communicationScore);
  const problemSolving = weighted(c, SKILL_WEIGHTS.problemSolvingScore);
  const scores: Scores = {
    communicationScore: clampScore(100 * communication),
    empathyScore: clampScore(100 * empathy),
    problemSolvingScore: clampScore(100 * problemSolving),
    overallScore: clampScore(100 * (0.4 * empathy + 0.3 * communication + 0.3 * problemSolving)),
  };
  return { scores, components: c };
}
