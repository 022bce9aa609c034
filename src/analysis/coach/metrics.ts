import type { TurnRecord } from './conversation.js';
import { median } from './timing.js';

// The measured numbers behind every score and sentence of feedback, stored with the analysis so
// a person (or a rubric) can see exactly what was counted. Shares are 0..1; null means "could
// not be measured in this conversation" (no questions asked, no timestamps), never zero.

/** Conversational speech runs near 150 words a minute; used to estimate when a turn ended. */
const WORDS_PER_SECOND = 2.5;
/** Gaps outside this range come from mixed or broken clocks, not from people. */
const MAX_GAP_SECONDS = 600;

export const METRIC_NAMES = [
  'userTurns',
  'counterpartTurns',
  'otherTurns',
  'userWords',
  'counterpartWords',
  'talkShare',
  'longestMonologueWords',
  'meanUserTurnWords',
  'questions',
  'openQuestions',
  'closedQuestions',
  'openQuestionShare',
  'reflections',
  'reflectionShare',
  'reflectionToQuestionRatio',
  'summaries',
  'affirmations',
  'adviceGiven',
  'unsolicitedAdvice',
  'adviceWithPermission',
  'informationTurns',
  'lectures',
  'inputShare',
  'backchannels',
  'fillersPer100Words',
  'hedgesPer100Words',
  'nextStepTurns',
  'turnAlternation',
  'responseSeconds',
  'counterpartChangeTalk',
  'counterpartSustainTalk',
  'changeTalkShare',
  'counterpartOpeningUp',
  'counterpartSentimentTrend',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Record<MetricName, number | null>;

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function measure(records: readonly TurnRecord[]): Metrics {
  let userTurns = 0,
    counterpartTurns = 0,
    otherTurns = 0,
    userWords = 0,
    counterpartWords = 0;
  let longest = 0,
    open = 0,
    closed = 0,
    reflections = 0,
    summaries = 0,
    affirmations = 0;
  let advice = 0,
    unsolicited = 0,
    withPermission = 0,
    information = 0,
    lectures = 0,
    input = 0;
  let backchannels = 0,
    substantive = 0,
    fillers = 0,
    hedges = 0,
    nextSteps = 0,
    alternations = 0;
  let change = 0,
    sustain = 0;
  let previousSide: string | null = null;
  let lastCounterpart: TurnRecord | null = null;
  let permissionAskedAt = -10;
  const gaps: number[] = [];
  const counterpartLengths: number[] = [];
  const counterpartSentiment: number[] = [];

  for (const r of records) {
    if (r.side === 'other') {
      otherTurns++;
      continue;
    }
    if (r.counterpart !== undefined) {
      const c = r.counterpart;
      counterpartTurns++;
      counterpartWords += c.words;
      if (c.change) change++;
      if (c.sustain) sustain++;
      if (c.words > 0) counterpartLengths.push(c.words);
      if (c.rated > 0) counterpartSentiment.push(c.sentiment / c.rated);
      lastCounterpart = r;
      previousSide = 'counterpart';
      continue;
    }
    const u = r.user!;
    userTurns++;
    userWords += u.words;
    if (previousSide === 'counterpart') {
      alternations++;
      // Response time: from the end of their turn (start plus its spoken length) to this start.
      if (r.seconds !== null && lastCounterpart !== null && lastCounterpart.seconds !== null) {
        const gap = r.seconds - lastCounterpart.seconds - lastCounterpart.counterpart!.words / WORDS_PER_SECOND;
        const raw = r.seconds - lastCounterpart.seconds;
        if (raw >= 0 && raw <= MAX_GAP_SECONDS) gaps.push(Math.max(0, gap));
      }
    }
    previousSide = 'user';
    if (u.words > longest) longest = u.words;
    open += u.openQuestions;
    closed += u.closedQuestions;
    if (u.backchannel) backchannels++;
    else if (u.words > 0) substantive++;
    if (u.reflection) reflections++;
    if (u.summary) summaries++;
    if (u.affirmation) affirmations++;
    if (u.permission) permissionAskedAt = userTurns;
    if (u.advice) {
      advice++;
      const asked = lastCounterpart?.counterpart?.asksAdvice === true;
      const permitted = userTurns - permissionAskedAt <= 1;
      if (permitted) withPermission++;
      if (!asked && !permitted) unsolicited++;
    }
    if (u.information) information++;
    if (u.lecture) lectures++;
    if (u.code === 'input') input++;
    fillers += u.fillers;
    hedges += u.hedges;
    if (u.nextStep) nextSteps++;
  }

  const totalWords = userWords + counterpartWords;
  const questions = open + closed;
  return {
    userTurns,
    counterpartTurns,
    otherTurns,
    userWords,
    counterpartWords,
    talkShare: round(ratio(userWords, totalWords)),
    longestMonologueWords: longest,
    meanUserTurnWords: round(ratio(userWords, userTurns), 1),
    questions,
    openQuestions: open,
    closedQuestions: closed,
    openQuestionShare: round(ratio(open, questions)),
    reflections,
    reflectionShare: round(ratio(reflections, substantive)),
    reflectionToQuestionRatio: round(ratio(reflections, questions), 2),
    summaries,
    affirmations,
    adviceGiven: advice,
    unsolicitedAdvice: unsolicited,
    adviceWithPermission: withPermission,
    informationTurns: information,
    lectures,
    inputShare: round(ratio(input, substantive)),
    backchannels,
    fillersPer100Words: round(ratio(fillers * 100, userWords), 2),
    hedgesPer100Words: round(ratio(hedges * 100, userWords), 2),
    nextStepTurns: nextSteps,
    turnAlternation: round(ratio(alternations, userTurns)),
    responseSeconds: round(median(gaps), 1),
    counterpartChangeTalk: change,
    counterpartSustainTalk: sustain,
    changeTalkShare: round(ratio(change, change + sustain)),
    counterpartOpeningUp: round(trend(counterpartLengths, (early, late) => (early > 0 ? late / early : null))),
    counterpartSentimentTrend: round(trend(counterpartSentiment, (early, late) => late - early)),
  };
}

/**
 * Compares the mean of the first and the last third of a series: how the counterpart changed
 * over the conversation. Needs six points to say anything.
 */
export function trend(series: readonly number[], compare: (early: number, late: number) => number | null): number | null {
  if (series.length < 6) return null;
  const third = Math.floor(series.length / 3);
  let early = 0;
  let late = 0;
  for (let i = 0; i < third; i++) early += series[i]!;
  for (let i = series.length - third; i < series.length; i++) late += series[i]!;
  return compare(early / third, late / third);
}
