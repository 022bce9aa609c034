import type { Scores } from '../coach/scoring.js';
import { MITI_THRESHOLDS, type Anchor } from '../miti/thresholds.js';
import type { Coach2Metrics } from './measures.js';

// From MITI-style measures to 0..100 scores. Each measure is read against its published
// competency thresholds: at the "fair" (basic competence) threshold a component is worth one
// half, at "good" (proficiency) it is full, and it falls linearly to nothing at the measure's
// natural floor. The thresholds are the coding manuals', the weights equal, all set before the
// first evaluation; nothing here was fitted to the development set's quality labels.

export type { Anchor };

export const ANCHORS = {
  ...MITI_THRESHOLDS,
  // No MITI threshold: as much change talk as sustain talk is fair, twice as much good (as R:Q).
  changeTalkShare: { floor: 0, fair: 0.5, good: 2 / 3, source: 'no MITI threshold: change talk 1:1 fair, 2:1 good' },
  // No MITI threshold: the counterpart should do at least half the talking.
  talkShare: { floor: 0.8, fair: 0.65, good: 0.5, source: 'no MITI threshold: the person speaks at most half the words' },
} as const satisfies Record<string, Anchor>;

export type Component = keyof typeof ANCHORS;

/** 0 at the floor, 0.5 at fair, 1 at good and beyond, linear between. */
export function anchored(value: number, a: Anchor): number {
  if (!Number.isFinite(value)) return 0;
  const up = a.good > a.floor;
  const v = up ? value : -value;
  const floor = up ? a.floor : -a.floor;
  const fair = up ? a.fair : -a.fair;
  const good = up ? a.good : -a.good;
  if (v <= floor) return 0;
  if (v >= good) return 1;
  return v < fair ? (0.5 * (v - floor)) / (fair - floor) : 0.5 + (0.5 * (v - fair)) / (good - fair);
}

/** A measure that cannot be taken here (no questions to be open) is taken as fair: no evidence either way. */
const UNMEASURED = 0.5;

export function components(m: Coach2Metrics): Record<Component, number> {
  const read = (name: Component) => {
    const v = m[name];
    return v === null ? UNMEASURED : anchored(v, ANCHORS[name]);
  };
  return {
    reflectionToQuestionRatio: read('reflectionToQuestionRatio'),
    complexReflectionShare: read('complexReflectionShare'),
    openQuestionShare: read('openQuestionShare'),
    miAdherence: read('miAdherence'),
    changeTalkShare: read('changeTalkShare'),
    talkShare: read('talkShare'),
  };
}

function toScore(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(100, Math.round(100 * value))) : 0;
}

function mean(...values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * empathy: MITI's relational side (empathy, partnership): reflecting, reflecting in depth, and
 * not persuading without permission. communication: the question and reflection mix, open
 * questions, and letting them talk. problem solving: MITI's technical side (cultivating change
 * talk, softening sustain talk): the counterpart's change talk, evoking with open questions, and
 * leaving the choice to them. overall: the mean of the three.
 */
export function score(m: Coach2Metrics): { scores: Scores; components: Record<Component, number> } {
  const c = components(m);
  if ((m.userWords ?? 0) === 0) return { scores: { communicationScore: 0, empathyScore: 0, problemSolvingScore: 0, overallScore: 0 }, components: c };
  const empathy = mean(c.reflectionToQuestionRatio, c.complexReflectionShare, c.miAdherence);
  const communication = mean(c.openQuestionShare, c.reflectionToQuestionRatio, c.talkShare);
  const problemSolving = mean(c.changeTalkShare, c.openQuestionShare, c.miAdherence);
  return {
    scores: {
      communicationScore: toScore(communication),
      empathyScore: toScore(empathy),
      problemSolvingScore: toScore(problemSolving),
      overallScore: toScore(mean(empathy, communication, problemSolving)),
    },
    components: c,
  };
}
