import type { TurnRecord } from '../coach/conversation.js';

// MITI's utterance codes for each of the practitioner's turns, from coach@1's coding: a question
// (open when any of its questions is), and a reflection, simple or complex. coach@1 tells whether
// a turn reflects; how deep it goes is read here from the manual's definitions (MITI 4.2.1): a
// simple reflection "conveys understanding ... adds little or no meaning or emphasis to what the
// client has said"; a complex one "adds substantial meaning or emphasis", e.g. a feeling the
// client did not name, both sides of their ambivalence, or a summary gathering several things.
// The rule was written from those definitions before it was measured, and not changed after.

export type QuestionCode = 'open' | 'closed' | null;
export type ReflectionCode = 'simple' | 'complex' | null;

export interface UtteranceCode {
  /** Index of the practitioner's turn in the transcript. */
  index: number;
  question: QuestionCode;
  reflection: ReflectionCode;
  /** Why a reflection is complex, for its evidence (null for a simple one). */
  depth: 'summary' | 'feeling' | 'two-sided' | 'adds meaning' | null;
}

/** Words that join two sides of ambivalence in one statement ("you want to, but ..."). */
const CONTRAST = new Set(['but', 'though', 'although', 'yet', 'however', 'whereas']);
const SIDES = ['on the other hand', 'at the same time', 'part of you', 'on one hand'].map((p) => p.split(' '));
/** New content words it takes to add meaning rather than restate: more than it repeats, and at least this many. */
const ADDED_WORDS = 3;

function twoSided(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (CONTRAST.has(w)) return true;
    for (const p of SIDES) {
      if (p[0] !== w) continue;
      let k = 1;
      while (k < p.length && words[i + k] === p[k]) k++;
      if (k === p.length) return true;
    }
  }
  return false;
}

function depthOf(r: TurnRecord): UtteranceCode['depth'] {
  const u = r.user!;
  if (u.summary) return 'summary';
  if (u.unheardFeeling) return 'feeling';
  if (twoSided(r.tokens.words)) return 'two-sided';
  if (u.unheard >= ADDED_WORDS && u.unheard > u.gathered) return 'adds meaning';
  return null;
}

/** One code per practitioner turn that said anything, in transcript order. */
export function utteranceCodes(records: readonly TurnRecord[]): UtteranceCode[] {
  const out: UtteranceCode[] = [];
  for (const r of records) {
    const u = r.user;
    if (u === undefined || u.words === 0) continue;
    const question: QuestionCode = u.openQuestions > 0 ? 'open' : u.closedQuestions > 0 ? 'closed' : null;
    const depth = u.reflection ? depthOf(r) : null;
    out.push({ index: r.index, question, reflection: u.reflection ? (depth === null ? 'simple' : 'complex') : null, depth });
  }
  return out;
}
