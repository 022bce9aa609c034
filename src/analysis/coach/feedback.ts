import type { EvidenceQuote } from '../types.js';
import type { TurnRecord } from './conversation.js';
import { lastWords, quoteMost, quotesBefore, quotesWhere } from './evidence.js';
import type { Metrics } from './metrics.js';
import { quoteSentence } from './tokenize.js';

// Turns the measurements into what a person reads: what they did well and what to change, each
// with their own words as evidence. Every finding names the count behind it, so the feedback
// can be checked against the metrics, and says what to do, not only what was wrong.

export interface Finding {
  text: string;
  evidence: EvidenceQuote[];
  /** Orders findings: the most telling first. */
  weight: number;
}

const MAX_FINDINGS = 4;

function pct(share: number | null): number {
  return Math.round((share ?? 0) * 100);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function top(findings: Finding[]): Finding[] {
  return findings
    .filter((f) => f.evidence.length > 0 || f.weight >= 100)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_FINDINGS);
}

export function strengthsOf(m: Metrics, records: readonly TurnRecord[]): Finding[] {
  const out: Finding[] = [];
  const n = (v: number | null) => v ?? 0;
  const substantive = Math.max(1, n(m.userTurns) - n(m.backchannels));
  if (n(m.reflections) >= 2 && n(m.reflectionShare) >= 0.2) {
    out.push({
      text: `You reflected back what they said in ${n(m.reflections)} of the ${plural(substantive, 'turn')} where you did more than acknowledge, showing you were listening.`,
      // Turns coded as reflections through and through make the clearest examples.
      evidence: quotesWhere(
        records,
        'reflection',
        (u) => u.reflection,
        (u) => u.code === 'reflection',
      ),
      weight: 5 + n(m.reflectionShare) * 10,
    });
  }
  if (n(m.openQuestions) >= 2 && n(m.openQuestionShare) >= 0.5) {
    out.push({
      text: `${pct(m.openQuestionShare)}% of your questions were open (${n(m.openQuestions)} of ${n(m.questions)}), inviting them to tell their own story.`,
      evidence: quotesWhere(records, 'question', (u) => u.openQuestions > 0),
      weight: 4 + n(m.openQuestionShare) * 4,
    });
  }
  if (n(m.summaries) >= 1) {
    out.push({
      text: `You summarised what you had heard (${plural(n(m.summaries), 'time')}), which shows understanding and lets them correct you.`,
      evidence: quotesWhere(records, 'summary', (u) => u.summary),
      weight: 6,
    });
  }
  if (n(m.affirmations) >= 1) {
    out.push({
      text: `You affirmed their efforts or strengths (${plural(n(m.affirmations), 'time')}).`,
      evidence: quotesWhere(records, 'affirmation', (u) => u.affirmation),
      weight: 4,
    });
  }
  if (m.talkShare !== null && m.talkShare >= 0.15 && m.talkShare <= 0.5 && n(m.userTurns) >= 3) {
    out.push({
      text: `You let them do most of the talking: you spoke ${pct(m.talkShare)}% of the words.`,
      evidence: quotesBefore(records, (r) => r.counterpart!.words === longestCounterpartTurn(records), 1),
      weight: 3 + (0.5 - m.talkShare) * 4,
    });
  }
  if (n(m.adviceWithPermission) >= 1) {
    out.push({
      text: `You asked before offering advice (${plural(n(m.adviceWithPermission), 'time')}), which keeps the choice theirs.`,
      evidence: quotesWhere(records, 'advice', (u) => u.advice),
      weight: 4,
    });
  }
  if (n(m.nextStepTurns) >= 1 && n(m.userTurns) >= 3) {
    out.push({
      text: 'You moved the conversation toward a concrete next step.',
      evidence: quotesWhere(records, 'nextStep', (u) => u.nextStep),
      weight: 3,
    });
  }
  if (n(m.counterpartChangeTalk) >= 2 && n(m.changeTalkShare) >= 0.6) {
    out.push({
      text: `They talked about changing ${plural(n(m.counterpartChangeTalk), 'time')}, against ${n(m.counterpartSustainTalk)} for staying as they are; what you said drew that out.`,
      evidence: quotesBefore(records, (r) => r.counterpart!.change),
      weight: 4 + n(m.changeTalkShare) * 2,
    });
  }
  return top(out);
}

export function areasOf(m: Metrics, records: readonly TurnRecord[]): Finding[] {
  const out: Finding[] = [];
  const n = (v: number | null) => v ?? 0;
  const substantive = Math.max(1, n(m.userTurns) - n(m.backchannels));
  if (n(m.userWords) === 0) {
    return [{ text: 'You did not speak in this conversation; start by asking what matters to them.', evidence: [], weight: 100 }];
  }
  if (n(m.userTurns) < 3) {
    out.push({ text: `You spoke in only ${plural(n(m.userTurns), 'turn')}; stay in the conversation longer.`, evidence: lastWords(records), weight: 9 });
  }
  if (n(m.reflectionShare) < 0.2 && n(m.userTurns) >= 3) {
    out.push({
      text: `Reflect more: say back what you heard before asking the next question (${n(m.reflections)} of the ${plural(substantive, 'turn')} where you did more than acknowledge did).`,
      // Missed chances: what the person said right after the counterpart opened up.
      evidence: quotesAfterLongAnswers(records),
      weight: 8 + (0.2 - n(m.reflectionShare)) * 10,
    });
  }
  if (n(m.closedQuestions) >= 3 && n(m.openQuestionShare) < 0.5) {
    out.push({
      text: `${n(m.closedQuestions)} of your ${plural(n(m.questions), 'question')} could be answered yes or no; ask open ones ("what", "how", "tell me about").`,
      evidence: quotesWhere(records, 'question', (u) => u.closedQuestions > 0 && u.openQuestions === 0),
      weight: 6 + (0.5 - n(m.openQuestionShare)) * 4,
    });
  }
  if (n(m.unsolicitedAdvice) >= 1) {
    out.push({
      text: `You gave advice they had not asked for (${plural(n(m.unsolicitedAdvice), 'time')}); ask permission first, or ask what they think would work.`,
      evidence: quotesWhere(records, 'advice', (u) => u.advice),
      weight: 7 + n(m.unsolicitedAdvice),
    });
  }
  if (n(m.inputShare) > 0.3 || n(m.lectures) >= 2) {
    out.push({
      text: `${pct(m.inputShare)}% of your turns explained or informed rather than listened; keep information short and check what they make of it.`,
      evidence: quoteMost(records, (u) => (u.code === 'input' ? u.words : 0)),
      weight: 6 + n(m.inputShare) * 5,
    });
  }
  if (n(m.talkShare) > 0.6) {
    out.push({
      text: `You spoke ${pct(m.talkShare)}% of the words; let them talk more, they know their situation best.`,
      evidence: quoteMost(records, (u) => u.words),
      weight: 5 + (n(m.talkShare) - 0.6) * 10,
    });
  } else if (n(m.longestMonologueWords) > 150) {
    out.push({
      text: `Your longest turn ran to ${n(m.longestMonologueWords)} words; break long explanations up and let them respond.`,
      evidence: quoteMost(records, (u) => u.words),
      weight: 4,
    });
  }
  if (n(m.fillersPer100Words) > 5) {
    out.push({
      text: `Filler sounds ("um", "uh") made up ${n(m.fillersPer100Words)} of every 100 words; a short pause says the same more calmly.`,
      evidence: quoteMost(records, (u) => u.fillers, 'filler'),
      weight: 2,
    });
  }
  if (n(m.counterpartSustainTalk) >= 3 && n(m.changeTalkShare) < 0.4) {
    out.push({
      text: `They argued for staying as they are ${plural(n(m.counterpartSustainTalk), 'time')}; meet that with a reflection rather than an argument.`,
      evidence: quotesBefore(records, (r) => r.counterpart!.sustain),
      weight: 5,
    });
  }
  if (n(m.nextStepTurns) === 0 && n(m.userTurns) >= 8) {
    out.push({
      text: 'The conversation ended without a next step; close by asking what they will do, and when.',
      evidence: lastWords(records),
      weight: 3,
    });
  }
  return top(out);
}

function longestCounterpartTurn(records: readonly TurnRecord[]): number {
  let most = 0;
  for (const r of records) if (r.counterpart !== undefined && r.counterpart.words > most) most = r.counterpart.words;
  return most;
}

/** The person's questions or statements that followed the counterpart's longest answers. */
export function quotesAfterLongAnswers(records: readonly TurnRecord[]): EvidenceQuote[] {
  const out: EvidenceQuote[] = [];
  let answer = 0;
  for (const r of records) {
    if (r.counterpart !== undefined) answer = r.counterpart.words;
    else if (r.user !== undefined && r.user.words > 0) {
      if (answer >= 15 && !r.user.reflection) {
        const at = r.user.at.question >= 0 ? r.user.at.question : 0;
        out.push({ turn: r.index, quote: quoteSentence(r.tokens, at) });
        if (out.length === 2) break;
      }
      answer = 0;
    }
  }
  return out.length > 0 ? out : lastWords(records);
}
