import type { EvidenceQuote } from '../types.js';
import type { CodedTurn } from './conversation.js';
import { lastWords, quoteMost, quotesBefore, quotesOfCode, type CodeToQuote } from './evidence.js';
import type { Coach2Metrics } from './measures.js';
import type { Detectors } from './model.js';
import { ANCHORS } from './scoring.js';

// What the person reads: strengths and areas to work on, each measured against the MITI
// threshold it comes from and backed by their own words. A finding without a quote is dropped,
// except the one that says they never spoke.

export interface Finding {
  text: string;
  evidence: EvidenceQuote[];
  /** Orders findings: the most telling first. */
  weight: number;
}

/** A finding before its quotes are looked for: only the ones shown get them. */
interface Candidate {
  text: string;
  evidence: () => EvidenceQuote[];
  weight: number;
}

const MAX_FINDINGS = 4;

const CODES = {
  reflection: { family: 'reflection', cls: 1, strength: (u) => u.reflection },
  complexReflection: { family: 'reflection', cls: 2, strength: (u) => u.complexReflection },
  simpleReflection: { family: 'reflection', cls: 1, strength: (u) => u.reflection - u.complexReflection },
  openQuestion: { family: 'question', cls: 1, strength: (u) => u.openQuestion },
  closedQuestion: { family: 'question', cls: 2, strength: (u) => u.closedQuestion },
  advice: { family: 'input', cls: 2, strength: (u) => u.advice },
  collaboration: { family: 'input', cls: 4, strength: (u) => Math.max(u.options, u.negotiation, u.permission ? u.advice : 0) },
} satisfies Record<string, CodeToQuote>;

function about(n: number | null): number {
  return Math.round(n ?? 0);
}

function pct(share: number | null): number {
  return Math.round((share ?? 0) * 100);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The weightiest candidates that can be backed by a quote (or need none: weight 100). */
function top(candidates: Candidate[]): Finding[] {
  const out: Finding[] = [];
  for (const c of candidates.sort((a, b) => b.weight - a.weight)) {
    const evidence = c.evidence();
    if (evidence.length > 0 || c.weight >= 100) out.push({ text: c.text, evidence, weight: c.weight });
    if (out.length === MAX_FINDINGS) break;
  }
  return out;
}

export function strengthsOf(m: Coach2Metrics, turns: readonly CodedTurn[], detectors: Detectors): Finding[] {
  const out: Candidate[] = [];
  const rq = m.reflectionToQuestionRatio ?? 0;
  if (about(m.reflections) >= 2 && rq >= ANCHORS.reflectionToQuestionRatio.fair) {
    out.push({
      text: `You reflected back what they said more than you asked: about ${about(m.reflections)} reflections to ${about(m.questions)} questions (MITI: 1:1 is fair, 2:1 good).`,
      evidence: () => quotesOfCode(turns, detectors, CODES.reflection),
      weight: 6 + rq,
    });
  }
  const cr = m.complexReflectionShare;
  if (cr !== null && about(m.complexReflections) >= 2 && cr >= ANCHORS.complexReflectionShare.fair) {
    out.push({
      text: `${pct(cr)}% of your reflections added meaning to what they said rather than repeating it (MITI: 40% is fair, 50% good).`,
      evidence: () => quotesOfCode(turns, detectors, CODES.complexReflection),
      weight: 5 + cr * 4,
    });
  }
  const oq = m.openQuestionShare;
  if (oq !== null && about(m.openQuestions) >= 2 && oq >= ANCHORS.openQuestionShare.fair) {
    out.push({
      text: `${pct(oq)}% of your questions were open (about ${about(m.openQuestions)} of ${about(m.questions)}), inviting them to tell their own story (MITI: 50% is fair, 70% good).`,
      evidence: () => quotesOfCode(turns, detectors, CODES.openQuestion),
      weight: 4 + oq * 4,
    });
  }
  const steering = (m.adviceGiven ?? 0) + (m.negotiationTurns ?? 0) + (m.optionsOffered ?? 0);
  if (steering >= 1 && (m.miAdherence ?? 0) >= ANCHORS.miAdherence.fair) {
    out.push({
      text: 'When you steered, you kept the choice theirs: offering options, agreeing goals, or asking before advising.',
      evidence: () => quotesOfCode(turns, detectors, CODES.collaboration),
      weight: 4,
    });
  }
  const ct = m.changeTalkShare;
  if (ct !== null && about(m.counterpartChangeTalk) >= 2 && ct >= ANCHORS.changeTalkShare.fair) {
    out.push({
      text: `They talked about changing about ${plural(about(m.counterpartChangeTalk), 'time')}, against ${about(m.counterpartSustainTalk)} for staying as they are; what you said drew that out.`,
      evidence: () => quotesBefore(turns, (c) => c.change >= 0.5),
      weight: 4 + ct * 2,
    });
  }
  if (m.talkShare !== null && m.talkShare <= ANCHORS.talkShare.good && (m.userTurns ?? 0) >= 3) {
    const longest = Math.max(0, ...turns.map((t) => t.counterpart?.words ?? 0));
    out.push({
      text: `You let them do most of the talking: you spoke ${pct(m.talkShare)}% of the words.`,
      evidence: () => quotesBefore(turns, (c) => c.words === longest, 1),
      weight: 3 + (0.5 - m.talkShare) * 4,
    });
  }
  return top(out);
}

/**
 * Questions asked where a reflection would have fitted: first those right after a long answer
 * (15 words or more), then any question that was not also a reflection.
 */
function missedReflections(turns: readonly CodedTurn[], detectors: Detectors): EvidenceQuote[] {
  const afterLong: CodedTurn[] = [];
  let answer = 0;
  for (const t of turns) {
    if (t.counterpart !== undefined) answer = t.counterpart.words;
    else if (t.user !== undefined) {
      if (answer >= 15 && t.user.reflection < 0.5 && t.user.question >= 0.5) afterLong.push(t);
      answer = 0;
    }
  }
  const quoteQuestion = (t: CodedTurn) => {
    const open = t.user!.openQuestion >= t.user!.closedQuestion;
    return quotesOfCode([t], detectors, open ? CODES.openQuestion : CODES.closedQuestion, 1)[0] ?? lastWords([t])[0]!;
  };
  if (afterLong.length > 0) return afterLong.slice(0, 2).map(quoteQuestion);
  const questions = quotesOfCode(turns, detectors, { family: 'question', cls: 1, strength: (u) => (u.reflection < 0.5 ? u.question : 0) }, 2);
  return questions.length > 0 ? questions : lastWords(turns);
}

export function areasOf(m: Coach2Metrics, turns: readonly CodedTurn[], detectors: Detectors): Finding[] {
  if ((m.userWords ?? 0) === 0) {
    return top([{ text: 'You did not speak in this conversation; start by asking what matters to them.', evidence: () => [], weight: 100 }]);
  }
  const out: Candidate[] = [];
  if ((m.userTurns ?? 0) < 3) {
    out.push({ text: `You spoke in only ${plural(m.userTurns ?? 0, 'turn')}; stay in the conversation longer.`, evidence: () => lastWords(turns), weight: 9 });
  }
  const rq = m.reflectionToQuestionRatio ?? 0;
  if (rq < ANCHORS.reflectionToQuestionRatio.fair && (m.userTurns ?? 0) >= 3) {
    out.push({
      text: `Reflect more: about ${about(m.reflections)} reflections to ${about(m.questions)} questions; say back what you heard before asking the next question (MITI: 1:1 is fair, 2:1 good).`,
      evidence: () => missedReflections(turns, detectors),
      weight: 8 + (1 - rq) * 2,
    });
  }
  const cr = m.complexReflectionShare;
  if (cr !== null && about(m.reflections) >= 2 && cr < ANCHORS.complexReflectionShare.fair) {
    out.push({
      text: `Only ${pct(cr)}% of your reflections went beyond their words; try naming the feeling or meaning behind what they said (MITI: 40% is fair, 50% good).`,
      evidence: () => quotesOfCode(turns, detectors, CODES.simpleReflection),
      weight: 5 + (0.4 - cr) * 5,
    });
  }
  const oq = m.openQuestionShare;
  if (oq !== null && about(m.closedQuestions) >= 2 && oq < ANCHORS.openQuestionShare.fair) {
    out.push({
      text: `About ${about(m.closedQuestions)} of your ${plural(about(m.questions), 'question')} could be answered yes or no; ask open ones ("what", "how", "tell me about") (MITI: half open is fair, 70% good).`,
      evidence: () => quotesOfCode(turns, detectors, CODES.closedQuestion),
      weight: 6 + (0.5 - oq) * 4,
    });
  }
  if ((m.unsolicitedAdvice ?? 0) >= 0.5 && (m.miAdherence ?? 1) < ANCHORS.miAdherence.fair) {
    out.push({
      text: 'You gave advice they had not asked for; ask permission first ("would it be okay if I shared an idea?"), or ask what they think would work.',
      evidence: () => {
        const advised = quotesOfCode(turns, detectors, CODES.advice, 2);
        return advised.length > 0 ? advised : quoteMost(turns, (u) => u.advice);
      },
      weight: 7 + (m.unsolicitedAdvice ?? 0),
    });
  }
  const ct = m.changeTalkShare;
  if (ct !== null && about(m.counterpartSustainTalk) >= 2 && ct < ANCHORS.changeTalkShare.fair) {
    out.push({
      text: `They argued for staying as they are about ${plural(about(m.counterpartSustainTalk), 'time')}, more than for changing; meet that with a reflection rather than an argument.`,
      evidence: () => quotesBefore(turns, (c) => c.sustain >= 0.5),
      weight: 5,
    });
  }
  if ((m.talkShare ?? 0) > ANCHORS.talkShare.fair) {
    out.push({
      text: `You spoke ${pct(m.talkShare)}% of the words; let them talk more, they know their situation best.`,
      evidence: () => quoteMost(turns, (u) => u.words),
      weight: 5 + ((m.talkShare ?? 0) - 0.65) * 10,
    });
  }
  return top(out);
}
