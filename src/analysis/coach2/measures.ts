import { trend } from '../coach/metrics.js';
import { mitiSummary } from '../miti/globals.js';
import type { CodedTurn } from './conversation.js';

// MITI-style summary measures of the conversation (Moyers et al., MITI 4.2.1 and 3.1.1): how many
// reflections per question, how many reflections were complex, how many questions open, and how
// much advice came without permission; and how the counterpart answered. Counts are expected
// counts, the sum over turns of each code's probability, so a turn the detectors are unsure of
// counts in part; they are calibrated on the training set, where they add up to the experts'.
// Shares and ratios are null when there is less than one of what they divide by.

export const COACH2_METRIC_NAMES = [
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
  'complexReflections',
  'complexReflectionShare',
  'reflectionShare',
  'reflectionToQuestionRatio',
  'informationTurns',
  'adviceGiven',
  'adviceWithPermission',
  'unsolicitedAdvice',
  'negotiationTurns',
  'optionsOffered',
  'inputShare',
  'miAdherence',
  'counterpartChangeTalk',
  'counterpartSustainTalk',
  'changeTalkShare',
  'counterpartOpeningUp',
  'counterpartSentimentTrend',
] as const;

export type Coach2MetricName = (typeof COACH2_METRIC_NAMES)[number];
export type Coach2Metrics = Record<Coach2MetricName, number | null>;

function share(a: number, b: number): number | null {
  return b >= 1 ? a / b : null;
}

function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function measure(turns: readonly CodedTurn[]): Coach2Metrics {
  let userTurns = 0,
    counterpartTurns = 0,
    otherTurns = 0,
    userWords = 0,
    counterpartWords = 0,
    longest = 0;
  let spokenTurns = 0,
    reflections = 0,
    complex = 0,
    questions = 0,
    open = 0,
    closed = 0;
  let information = 0,
    advice = 0,
    permitted = 0,
    unsolicited = 0,
    negotiation = 0,
    options = 0;
  let change = 0,
    sustain = 0;
  let permissionAt = -10;
  let adviceAsked = false;
  const lengths: number[] = [];
  const valences: number[] = [];

  for (const t of turns) {
    if (t.side === 'other') otherTurns++;
    else if (t.side === 'counterpart') {
      counterpartTurns++;
      const c = t.counterpart;
      if (c === undefined) continue;
      counterpartWords += c.words;
      change += c.change;
      sustain += c.sustain;
      lengths.push(c.words);
      if (c.rated > 0) valences.push(c.valence / c.rated);
      adviceAsked = c.asksAdvice;
    } else {
      userTurns++;
      const u = t.user;
      if (u === undefined) continue;
      spokenTurns++;
      userWords += u.words;
      longest = Math.max(longest, u.words);
      reflections += u.reflection;
      complex += u.complexReflection;
      questions += u.question;
      open += u.openQuestion;
      closed += u.closedQuestion;
      information += u.information;
      negotiation += u.negotiation;
      options += u.options;
      if (u.permission) permissionAt = spokenTurns;
      // MITI's "persuade with permission": advice after asking may advise, or when they asked for it.
      advice += u.advice;
      if (spokenTurns - permissionAt <= 1) permitted += u.advice;
      else if (!adviceAsked) unsolicited += u.advice;
    }
  }

  const input = information + advice + negotiation + options;
  const miti = mitiSummary({ reflections, complexReflections: complex, questions, openQuestions: open, closedQuestions: closed });
  return {
    userTurns,
    counterpartTurns,
    otherTurns,
    userWords,
    counterpartWords,
    talkShare: round(userWords + counterpartWords > 0 ? userWords / (userWords + counterpartWords) : null, 3),
    longestMonologueWords: longest,
    meanUserTurnWords: round(spokenTurns > 0 ? userWords / spokenTurns : null, 1),
    questions: round(questions, 1),
    openQuestions: round(open, 1),
    closedQuestions: round(closed, 1),
    openQuestionShare: round(miti.openQuestionShare, 3),
    reflections: round(reflections, 1),
    complexReflections: round(complex, 1),
    complexReflectionShare: round(miti.complexReflectionShare, 3),
    reflectionShare: round(share(reflections, spokenTurns), 3),
    reflectionToQuestionRatio: round(miti.reflectionToQuestionRatio, 2),
    informationTurns: round(information, 1),
    adviceGiven: round(advice, 1),
    adviceWithPermission: round(permitted, 1),
    unsolicitedAdvice: round(unsolicited, 1),
    negotiationTurns: round(negotiation, 1),
    optionsOffered: round(options, 1),
    inputShare: round(share(input, spokenTurns), 3),
    // MITI's %MI-adherent, as far as the codes reach: of the moves that steer (advice, options,
    // goal setting), the share that kept the choice theirs.
    miAdherence: round(1 - unsolicited / Math.max(1, advice + negotiation + options), 3),
    counterpartChangeTalk: round(change, 1),
    counterpartSustainTalk: round(sustain, 1),
    changeTalkShare: round(share(change, change + sustain), 3),
    counterpartOpeningUp: round(
      trend(lengths, (early, late) => (early > 0 ? late / early : null)),
      3,
    ),
    counterpartSentimentTrend: round(
      trend(valences, (early, late) => late - early),
      3,
    ),
  };
}
