import type { TurnRecord } from '../coach/conversation.js';
import { quoteMost, quotesBefore, quotesWhere } from '../coach/evidence.js';
import { quotesAfterLongAnswers } from '../coach/feedback.js';
import { SKILL_WEIGHTS, type Components, type SkillScore } from '../coach/scoring.js';
import { quoteSentence } from '../coach/tokenize.js';
import type { EvidenceQuote } from '../types.js';

// Why each skill score is what it is: every component it is made of, what it weighed, what it was
// worth here, whether it raised the score or lowered it, and the utterances that did so (the
// person's, or the counterpart's where their response is what was measured). A component lowered
// by something never said (no affirmation at all) has nothing to quote: its entry says so by an
// empty list. The most telling components come first.

export interface ScoreQuote extends EvidenceQuote {
  speaker: 'user' | 'counterpart';
}

export interface ComponentEvidence {
  component: keyof Components;
  /** Its share of the skill score. */
  weight: number;
  /** 0..1: 1 is the best this conversation could have done on it. */
  value: number;
  /** Points of the 0..100 skill score it brought. */
  points: number;
  /** Above or below the midpoint (0.5), where it would neither help nor hurt. */
  effect: 'raised' | 'lowered' | 'neutral';
  quotes: ScoreQuote[];
  /** When nothing said can be quoted for it: what moved it instead (something never said, a count). */
  note?: string;
}

export type ScoreEvidence = Record<SkillScore, ComponentEvidence[]>;

const MAX_QUOTES = 2;

function user(quotes: readonly EvidenceQuote[]): ScoreQuote[] {
  const out: ScoreQuote[] = [];
  for (let i = 0; i < quotes.length && i < MAX_QUOTES; i++) out.push({ turn: quotes[i]!.turn, quote: quotes[i]!.quote, speaker: 'user' });
  return out;
}

/**
 * The counterpart's two turns that `rank` puts first (positive ranks only; ties: the earlier), in
 * transcript order; `lateOnly`: among their last third. One pass, no sorting: it runs per analysis.
 */
function counterpart(records: readonly TurnRecord[], rank: (r: TurnRecord) => number, lateOnly = false): ScoreQuote[] {
  let theirs = 0;
  for (const r of records) if (r.counterpart !== undefined && r.counterpart.words > 0) theirs++;
  const skip = lateOnly ? theirs - Math.floor(theirs / 3) : 0;
  let first = -1;
  let firstValue = 0;
  let second = -1;
  let secondValue = 0;
  let seen = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.counterpart === undefined || r.counterpart.words === 0 || seen++ < skip) continue;
    const v = rank(r);
    if (v > firstValue) {
      second = first;
      secondValue = firstValue;
      first = i;
      firstValue = v;
    } else if (v > secondValue) {
      second = i;
      secondValue = v;
    }
  }
  const picked = [first, second].filter((i) => i >= 0).sort((a, b) => a - b);
  return picked.map((i) => ({ turn: records[i]!.index, quote: quoteSentence(records[i]!.tokens, 0), speaker: 'counterpart' as const }));
}

const valence = (r: TurnRecord) => (r.counterpart!.rated > 0 ? r.counterpart!.sentiment / r.counterpart!.rated : 0);

type Quoter = (records: readonly TurnRecord[]) => ScoreQuote[];
const none: Quoter = () => [];

/** What moved a component when no utterance did (or none could be quoted). */
const NOTES: Partial<Record<keyof Components, { raised?: string; lowered?: string }>> = {
  reflectiveListening: { lowered: 'few of your turns reflected what they said' },
  reflectionToQuestions: { lowered: 'few reflections for the questions asked' },
  affirming: { lowered: 'no affirmation of their efforts or strengths was heard' },
  adviceRestraint: { raised: 'no advice they had not asked for' },
  inputRestraint: { raised: 'little of your talk explained or informed' },
  openQuestions: { lowered: 'few open questions' },
  talkBalance: { lowered: 'the share of words you spoke', raised: 'the share of words you spoke' },
  monologue: { raised: 'no turn of yours ran long' },
  fluency: { raised: 'few filler sounds or hedges' },
  engagement: { raised: 'the number of turns you took', lowered: 'the number of turns you took' },
  evokingChange: { raised: 'they talked about change more than against it', lowered: 'they talked about change less than against it' },
  planning: { lowered: 'no next step or summary was heard' },
  openingUp: { raised: 'their turns grew longer', lowered: 'their turns grew shorter' },
  sentimentTrend: { raised: 'they sounded warmer by the end', lowered: 'they sounded colder by the end' },
};

/** For each component, what to quote when it raised the score and when it lowered it. */
const QUOTES: Record<keyof Components, { raised: Quoter; lowered: Quoter }> = {
  reflectiveListening: {
    raised: (rs) =>
      user(
        quotesWhere(
          rs,
          'reflection',
          (u) => u.reflection,
          (u) => u.code === 'reflection',
        ),
      ),
    // Missed chances: what they said right after the counterpart had said a lot.
    lowered: (rs) => user(quotesAfterLongAnswers(rs)),
  },
  reflectionToQuestions: {
    raised: (rs) => user(quotesWhere(rs, 'reflection', (u) => u.reflection, undefined, MAX_QUOTES)),
    lowered: (rs) => user(quotesWhere(rs, 'question', (u) => u.openQuestions + u.closedQuestions > 0 && !u.reflection, undefined, MAX_QUOTES)),
  },
  affirming: { raised: (rs) => user(quotesWhere(rs, 'affirmation', (u) => u.affirmation, undefined, MAX_QUOTES)), lowered: none },
  adviceRestraint: { raised: none, lowered: (rs) => user(quotesWhere(rs, 'advice', (u) => u.advice, undefined, MAX_QUOTES)) },
  inputRestraint: { raised: none, lowered: (rs) => user(quoteMost(rs, (u) => (u.code === 'input' ? u.words : 0))) },
  openQuestions: {
    raised: (rs) => user(quotesWhere(rs, 'question', (u) => u.openQuestions > 0, undefined, MAX_QUOTES)),
    lowered: (rs) => user(quotesWhere(rs, 'question', (u) => u.closedQuestions > 0 && u.openQuestions === 0, undefined, MAX_QUOTES)),
  },
  talkBalance: {
    raised: (rs) => {
      // What they said just before the counterpart's longest answer: the room they gave.
      const longest = rs.reduce((m, r) => Math.max(m, r.counterpart?.words ?? 0), 0);
      return user(quotesBefore(rs, (r) => r.counterpart!.words === longest, 1));
    },
    lowered: (rs) => user(quoteMost(rs, (u) => u.words)),
  },
  monologue: { raised: none, lowered: (rs) => user(quoteMost(rs, (u) => u.words)) },
  fluency: { raised: none, lowered: (rs) => user(quoteMost(rs, (u) => u.fillers + u.hedges, 'filler')) },
  engagement: { raised: none, lowered: none },
  evokingChange: {
    raised: (rs) => counterpart(rs, (r) => (r.counterpart!.change ? r.counterpart!.words : 0)),
    lowered: (rs) => counterpart(rs, (r) => (r.counterpart!.sustain ? r.counterpart!.words : 0)),
  },
  planning: {
    raised: (rs) => user(quotesWhere(rs, 'nextStep', (u) => u.nextStep || u.summary, undefined, MAX_QUOTES)),
    lowered: none,
  },
  openingUp: {
    raised: (rs) => counterpart(rs, (r) => r.counterpart!.words, true),
    lowered: (rs) => counterpart(rs, (r) => 1 / (1 + r.counterpart!.words), true),
  },
  sentimentTrend: {
    raised: (rs) => counterpart(rs, valence, true),
    lowered: (rs) => counterpart(rs, (r) => -valence(r), true),
  },
};

const SKILLS = Object.keys(SKILL_WEIGHTS) as SkillScore[];

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function scoreEvidence(components: Components, records: readonly TurnRecord[]): ScoreEvidence {
  const out = {} as ScoreEvidence;
  for (const skill of SKILLS) {
    const entries: ComponentEvidence[] = [];
    const pulls: number[] = [];
    for (const [component, weight] of SKILL_WEIGHTS[skill]) {
      const value = components[component];
      const effect = value > 0.5 ? 'raised' : value < 0.5 ? 'lowered' : 'neutral';
      const quotes = effect === 'neutral' ? [] : QUOTES[component][effect](records);
      const entry: ComponentEvidence = { component, weight, value: round(value, 3), points: round(100 * weight * value, 1), effect, quotes };
      const note = effect === 'neutral' ? undefined : NOTES[component]?.[effect];
      if (quotes.length === 0 && note !== undefined) entry.note = note;
      entries.push(entry);
      pulls.push(weight * Math.abs(value - 0.5));
    }
    // The most telling first: how far from the midpoint, times its weight (ties keep the table's order).
    out[skill] = entries
      .map((e, i) => ({ e, i }))
      .sort((a, b) => pulls[b.i]! - pulls[a.i]! || a.i - b.i)
      .map(({ e }) => e);
  }
  return out;
}
