import type { TurnRecord } from '../coach/conversation.js';
import { CounterpartMemory } from '../coach/memory.js';
import { W } from '../coach/vocabulary.js';

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
const SIDES = ['on the other hand', 'at the same time', 'part of you', 'on one hand'];
/** New content words it takes to add meaning rather than restate: more than it repeats, and at least this many. */
const ADDED_WORDS = 3;

function hasPhrase(words: readonly string[], phrase: string): boolean {
  const p = phrase.split(' ');
  for (let i = 0; i + p.length <= words.length; i++) {
    let k = 0;
    while (k < p.length && words[i + k] === p[k]) k++;
    if (k === p.length) return true;
  }
  return false;
}

function depthOf(r: TurnRecord, memory: CounterpartMemory): UtteranceCode['depth'] {
  const u = r.user!;
  if (u.summary) return 'summary';
  const { words, infos } = r.tokens;
  let added = 0;
  let repeated = 0;
  let newFeeling = false;
  const seen = new Set<string>();
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    if (!(info.flags & W.content) || seen.has(info.stem)) continue;
    seen.add(info.stem);
    const heard = memory.heard(info.stem);
    if (heard === 0) {
      added++;
      if (info.flags & W.feeling) newFeeling = true;
    } else repeated++;
  }
  if (newFeeling) return 'feeling';
  if (words.some((w) => CONTRAST.has(w)) || SIDES.some((p) => hasPhrase(words, p))) return 'two-sided';
  if (added >= ADDED_WORDS && added > repeated) return 'adds meaning';
  return null;
}

/** One code per practitioner turn that said anything, in transcript order. */
export function utteranceCodes(records: readonly TurnRecord[]): UtteranceCode[] {
  const memory = new CounterpartMemory();
  const out: UtteranceCode[] = [];
  for (const r of records) {
    if (r.counterpart !== undefined) {
      memory.remember(r.tokens.infos);
      continue;
    }
    const u = r.user;
    if (u === undefined || u.words === 0) continue;
    const question: QuestionCode = u.openQuestions > 0 ? 'open' : u.closedQuestions > 0 ? 'closed' : null;
    const depth = u.reflection ? depthOf(r, memory) : null;
    out.push({ index: r.index, question, reflection: u.reflection ? (depth === null ? 'simple' : 'complex') : null, depth });
  }
  return out;
}
