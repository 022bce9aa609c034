// Turns one utterance into lower-case word tokens, sentences and clause starts in one pass.
// Every detector downstream works on these arrays, so the text itself is scanned once per turn.
// Plain ASCII text (most of it) takes a hand-written scanner, about three times faster than
// the Unicode regex that handles everything else; a property test keeps the two identical.

import { describeAll, describeSlice, type WordInfo } from './vocabulary.js';

/** Longest quote kept as evidence: enough to recognise the moment, short enough for a card. */
const QUOTE_CHARS = 180;

// A word is a run of letters, marks and digits with inner apostrophes ("you're", "didn't");
// each Han, kana or Hangul syllable stands alone so unspaced scripts still count words sensibly.
// Sentence ends are runs of . ! ? … and their full-width forms (not the point in "3.5"); commas,
// colons and dashes mark clauses, where a question often starts ("Sandra, can you..."). Built with the `v` flag (set
// subtraction), which Node 20 supports; TypeScript's ES2022 target would reject it as a literal.
const TOKEN = new RegExp(
  String.raw`([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])` +
    String.raw`|([[\p{L}\p{M}\p{N}]--[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]]+(?:'[\p{L}\p{N}]+)*)` +
    String.raw`|([.!?…。！？]+(?!\p{N}))` +
    String.raw`|([,;:—–，、]|--)`,
  'gv',
);

export interface Sentence {
  /** Index of the sentence's first token in `Tokens.words`. */
  start: number;
  /** One past the sentence's last token. */
  end: number;
  /** Character range in the text, for quoting. */
  charStart: number;
  charEnd: number;
  /** Ended with a question mark. */
  question: boolean;
}

export interface Tokens {
  text: string;
  words: string[];
  /** The vocabulary entry of each word, same order. */
  infos: WordInfo[];
  sentences: Sentence[];
  /** Indices of words that open a clause after a comma, colon or dash, in order. */
  clauses: number[];
}

/** Anything that is not a string (a number, an object from a broken payload) reads as silence. */
export function textOf(content: unknown): string {
  return typeof content === 'string' ? content : '';
}

export function tokenize(content: string): Tokens {
  return tokenizeAscii(content) ?? tokenizeWithRegex(content);
}

// Char codes by name. A const enum compiles to the number literals themselves, which keeps the scanner's
// hot loop free of lookups; comparing them with charCodeAt's plain numbers is the point, not a slip.
/* eslint-disable @typescript-eslint/no-unsafe-enum-comparison */
const enum C {
  Quote = 39, // '
  Comma = 44,
  Dash = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Semicolon = 59,
  Bang = 33,
  Ask = 63,
  A = 97,
  Z = 122,
}

function isWordCode(c: number): boolean {
  return (c >= C.A && c <= C.Z) || (c >= C.Zero && c <= C.Nine);
}

/** The regex's rules for ASCII text, by hand; null as soon as a non-ASCII character appears. */
function tokenizeAscii(content: string): Tokens | null {
  const text = content.toLowerCase();
  const n = text.length;
  const words: string[] = [];
  const infos: WordInfo[] = [];
  const sentences: Sentence[] = [];
  const clauses: number[] = [];
  let sentenceStart = 0;
  let charStart = -1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c > 127) return null;
    if (isWordCode(c)) {
      const start = i;
      let hash = c;
      i++;
      for (;;) {
        let d: number;
        while (i < n && isWordCode((d = text.charCodeAt(i)))) {
          hash = (Math.imul(hash, 31) + d) | 0;
          i++;
        }
        // An apostrophe joins only when a letter or digit follows ("you're", not "students'").
        if (i + 1 < n && text.charCodeAt(i) === C.Quote && isWordCode(text.charCodeAt(i + 1))) {
          hash = (Math.imul(Math.imul(hash, 31) + C.Quote, 31) + text.charCodeAt(i + 1)) | 0;
          i += 2;
        } else break;
      }
      if (charStart < 0) charStart = start;
      const info = describeSlice(text, start, i, hash);
      words.push(info.word);
      infos.push(info);
      continue;
    }
    if (c === C.Dot || c === C.Bang || c === C.Ask) {
      const start = i;
      let question = false;
      let j = i;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d !== C.Dot && d !== C.Bang && d !== C.Ask) break;
      }
      // A run followed by a digit ("3.5") gives up its last mark, as the regex's lookahead does.
      let end = j;
      if (j < n && text.charCodeAt(j) >= C.Zero && text.charCodeAt(j) <= C.Nine) end = j - 1;
      i = j;
      if (end <= start) continue;
      for (let k = start; k < end; k++) if (text.charCodeAt(k) === C.Ask) question = true;
      if (words.length > sentenceStart) sentences.push({ start: sentenceStart, end: words.length, charStart, charEnd: end, question });
      sentenceStart = words.length;
      charStart = -1;
      continue;
    }
    const isClause = c === C.Comma || c === C.Semicolon || c === C.Colon || (c === C.Dash && i + 1 < n && text.charCodeAt(i + 1) === C.Dash);
    if (isClause) {
      if (clauses[clauses.length - 1] !== words.length) clauses.push(words.length);
      i += c === C.Dash ? 2 : 1;
      continue;
    }
    i++;
  }
  if (words.length > sentenceStart) sentences.push({ start: sentenceStart, end: words.length, charStart, charEnd: n, question: false });
  return { text: content, words, infos, sentences, clauses };
}
/* eslint-enable @typescript-eslint/no-unsafe-enum-comparison */

/** The general tokenizer: any script, curly apostrophes, full-width punctuation. */
export function tokenizeWithRegex(content: string): Tokens {
  // Lower-casing first keeps one regex pass; curly apostrophes become straight so word lists
  // need only one spelling. Both keep the length, so offsets still point into the original.
  let text = content.toLowerCase();
  if (text.length !== content.length) text = content;
  if (text.includes('’')) text = text.replaceAll('’', "'");
  const words: string[] = [];
  const sentences: Sentence[] = [];
  const clauses: number[] = [];
  let sentenceStart = 0;
  let charStart = -1;
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null) {
    if (m[4] !== undefined) {
      if (clauses[clauses.length - 1] !== words.length) clauses.push(words.length);
      continue;
    }
    const punct = m[3];
    if (punct === undefined) {
      if (charStart < 0) charStart = m.index;
      words.push(text === content ? m[0] : m[0].toLowerCase());
      continue;
    }
    if (words.length > sentenceStart) {
      sentences.push({
        start: sentenceStart,
        end: words.length,
        charStart,
        charEnd: m.index + punct.length,
        question: punct.includes('?') || punct.includes('？'),
      });
    }
    sentenceStart = words.length;
    charStart = -1;
  }
  if (words.length > sentenceStart) {
    sentences.push({ start: sentenceStart, end: words.length, charStart, charEnd: text.length, question: false });
  }
  return { text: content, words, infos: describeAll(words), sentences, clauses };
}

/** A quote shorter than this ("Okay.") says nothing alone, so the next sentence joins it. */
const MIN_QUOTE_CHARS = 40;

/** The sentence a token belongs to, quoted from the original text and shortened if long. */
export function quoteSentence(tokens: Tokens, wordIndex: number): string {
  const { sentences } = tokens;
  let i = sentences.findIndex((x) => wordIndex >= x.start && wordIndex < x.end);
  if (i < 0) i = 0;
  const first = sentences[i];
  if (first === undefined) return '';
  let end = first.charEnd;
  while (end - first.charStart < MIN_QUOTE_CHARS && i + 1 < sentences.length) end = sentences[++i]!.charEnd;
  return shorten(tokens.text.slice(first.charStart, end).trim());
}

const SPACES = /\s+/g;
/** Whitespace other than a single plain space: only then is there anything to collapse. */
const ODD_SPACE = /[^\S ]| {2}/;

export function shorten(text: string): string {
  // Most quotes are short single lines: skip the regex for them.
  const plain = text.length <= QUOTE_CHARS && !ODD_SPACE.test(text);
  const oneLine = plain ? text : text.replace(SPACES, ' ');
  if (oneLine.length <= QUOTE_CHARS) return oneLine;
  // Cut at a word boundary and never inside a surrogate pair (emoji, rare scripts).
  let cut = oneLine.lastIndexOf(' ', QUOTE_CHARS - 1);
  if (cut < QUOTE_CHARS / 2) cut = QUOTE_CHARS - 1;
  const code = oneLine.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${oneLine.slice(0, cut)}…`;
}
