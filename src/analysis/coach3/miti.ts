import { mitiSummary, type MitiSummary } from '../miti/globals.js';
import { levelOf, MITI_THRESHOLDS, type MitiLevel } from '../miti/thresholds.js';
import type { UtteranceCode } from './utterances.js';

// The MITI global counts of one conversation, as a coach reads them: how many questions (open,
// closed) and reflections (simple, complex) the practitioner made, the three summary scores, and
// where each falls against the manual's thresholds. Shown beside the scores, not mixed into them:
// they are the published yardstick, and the scores are coach@1's, whose figures are measured.

export interface MitiReport extends MitiSummary {
  questions: number;
  openQuestions: number;
  closedQuestions: number;
  reflections: number;
  simpleReflections: number;
  complexReflections: number;
  levels: Record<keyof MitiSummary, MitiLevel | null>;
  thresholds: Record<keyof MitiSummary, string>;
}

function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const THRESHOLDS: MitiReport['thresholds'] = Object.freeze({
  reflectionToQuestionRatio: MITI_THRESHOLDS.reflectionToQuestionRatio.source,
  complexReflectionShare: MITI_THRESHOLDS.complexReflectionShare.source,
  openQuestionShare: MITI_THRESHOLDS.openQuestionShare.source,
});

export function mitiReport(codes: readonly UtteranceCode[]): MitiReport {
  let open = 0;
  let closed = 0;
  let simple = 0;
  let complex = 0;
  for (const c of codes) {
    if (c.question === 'open') open++;
    else if (c.question === 'closed') closed++;
    if (c.reflection === 'simple') simple++;
    else if (c.reflection === 'complex') complex++;
  }
  const questions = open + closed;
  const reflections = simple + complex;
  const s = mitiSummary({ reflections, complexReflections: complex, questions, openQuestions: open, closedQuestions: closed });
  const rq = round(s.reflectionToQuestionRatio, 2)!;
  const cr = round(s.complexReflectionShare, 3);
  const oq = round(s.openQuestionShare, 3);
  // With nothing said there is nothing to rate: R:Q of 0 reflections to 0 questions is no level.
  const rated = questions + reflections > 0;
  return {
    questions,
    openQuestions: open,
    closedQuestions: closed,
    reflections,
    simpleReflections: simple,
    complexReflections: complex,
    reflectionToQuestionRatio: rq,
    complexReflectionShare: cr,
    openQuestionShare: oq,
    levels: {
      reflectionToQuestionRatio: rated ? levelOf(rq, MITI_THRESHOLDS.reflectionToQuestionRatio) : null,
      complexReflectionShare: levelOf(cr, MITI_THRESHOLDS.complexReflectionShare),
      openQuestionShare: levelOf(oq, MITI_THRESHOLDS.openQuestionShare),
    },
    thresholds: THRESHOLDS,
  };
}
