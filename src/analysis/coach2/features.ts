import type { Tokens } from '../coach/tokenize.js';
import { IntMap } from './intMap.js';

// What a detector sees of one turn: its words and word pairs within a sentence (a sentence's
// start and its end mark count as words, so "<s> so" and "stuck ?" are features), how long it
// is, how much it repeats what the other side just said, and whether it answers a question. Training lists the features by name; the analyzer looks them up by
// number through a `FeatureIndex` built from those names. Both walk a turn the same way (a
// test checks that they agree on every turn of the development set).

export const START = '<s>';
export const QUESTION_END = '?';
export const STATEMENT_END = '</s>';

/** What the walk knows about a turn beyond its words. */
export interface TurnContext {
  /** Content words of a practitioner's turn the counterpart used in their last two turns (0 for the counterpart's). */
  echoed: number;
  /** The other side's previous turn asked a question. */
  afterQuestion: boolean;
}

/** Upper bounds of the length buckets, in words; beyond the last is one more bucket. */
const LENGTHS = [0, 2, 5, 10, 20, 40, 80];
const ECHO_BUCKETS = 4;

function lengthBucket(words: number): number {
  let b = 0;
  while (b < LENGTHS.length && words > LENGTHS[b]!) b++;
  return b;
}

function echoBucket(echoed: number): number {
  return Math.min(echoed, ECHO_BUCKETS);
}

const contextNames = {
  length: (b: number) => `#len=${b}`,
  echo: (b: number) => `#echo=${b}`,
  afterQuestion: '#afterq',
};

/** Every feature name of a turn, once each, in a fixed order. Training counts these. */
export function featureNames(tokens: Tokens, context: TurnContext): string[] {
  const seen = new Set<string>();
  const { words, sentences } = tokens;
  for (const s of sentences) {
    let b: string = START;
    for (let i = s.start; i <= s.end; i++) {
      const c = i < s.end ? words[i]! : s.question ? QUESTION_END : STATEMENT_END;
      seen.add(c);
      seen.add(`${b} ${c}`);
      b = c;
    }
  }
  seen.add(contextNames.length(lengthBucket(words.length)));
  seen.add(contextNames.echo(echoBucket(context.echoed)));
  if (context.afterQuestion) seen.add(contextNames.afterQuestion);
  return [...seen];
}

const START_ID = 0;
const QUESTION_ID = 1;
const STATEMENT_ID = 2;
const EMPTY = new Int32Array(0);

/**
 * The features a model knows, by number. Words become symbols and each known feature an id; a
 * pair is found by one integer key (first symbol × symbolCount + second), so a turn costs one
 * string lookup and one integer probe per word.
 */
export class FeatureIndex {
  readonly size: number;
  private readonly symbols = new Map<string, number>([
    [START, START_ID],
    [QUESTION_END, QUESTION_ID],
    [STATEMENT_END, STATEMENT_ID],
  ]);
  private readonly symbolCount: number;
  /** Feature of a symbol alone, -1 when none. */
  private readonly unigram: Int32Array;
  /** (first symbol × symbolCount + second) → feature. */
  private readonly bigram: IntMap;
  private readonly lengthFeature: Int32Array;
  private readonly echoFeature: Int32Array;
  private readonly afterQuestionFeature: number;
  private readonly seenAt: Int32Array;
  private stamp = 0;
  // The turn being extracted: kept on the instance so that emitting needs no closure per turn.
  private out: Int32Array = EMPTY;
  private sentenceOf: Int32Array | undefined;
  private count = 0;

  constructor(readonly names: readonly string[]) {
    this.size = names.length;
    const split = names.map((n) => (n.startsWith('#') ? null : n.split(' ')));
    for (const parts of split) for (const p of parts ?? []) if (!this.symbols.has(p)) this.symbols.set(p, this.symbols.size);
    this.symbolCount = this.symbols.size;
    this.unigram = new Int32Array(this.symbolCount).fill(-1);
    this.lengthFeature = new Int32Array(LENGTHS.length + 1).fill(-1);
    this.echoFeature = new Int32Array(ECHO_BUCKETS + 1).fill(-1);
    let afterQuestion = -1;
    const bigrams: [number, number][] = [];
    split.forEach((parts, id) => {
      if (parts === null) {
        const name = names[id]!;
        for (let b = 0; b < this.lengthFeature.length; b++) if (name === contextNames.length(b)) this.lengthFeature[b] = id;
        for (let b = 0; b < this.echoFeature.length; b++) if (name === contextNames.echo(b)) this.echoFeature[b] = id;
        if (name === contextNames.afterQuestion) afterQuestion = id;
        return;
      }
      const ids = parts.map((p) => this.symbols.get(p)!);
      if (ids.length === 1) this.unigram[ids[0]!] = id;
      else if (ids.length === 2) bigrams.push([ids[0]! * this.symbolCount + ids[1]!, id]);
      else throw new Error(`feature "${names[id]}" is not a word or a word pair`);
    });
    this.bigram = new IntMap(bigrams, bigrams.length);
    this.afterQuestionFeature = afterQuestion;
    this.seenAt = new Int32Array(this.size);
  }

  /**
   * Writes the ids of the turn's known features into `out` (once each) and answers how many;
   * `sentenceOf`, when given, gets the sentence each came from (-1 for the turn's context).
   * `out` must hold at least `capacity(tokens)` ids.
   */
  extract(tokens: Tokens, context: TurnContext, out: Int32Array, sentenceOf?: Int32Array): number {
    // A new stamp per turn marks which features this turn has emitted, without clearing an array.
    if (++this.stamp === 0x7fffffff) {
      this.seenAt.fill(0);
      this.stamp = 1;
    }
    this.out = out;
    this.sentenceOf = sentenceOf;
    this.count = 0;
    const { words, sentences } = tokens;
    const S = this.symbolCount;
    for (let si = 0; si < sentences.length; si++) {
      const s = sentences[si]!;
      let b = START_ID;
      for (let i = s.start; i <= s.end; i++) {
        const c = i < s.end ? (this.symbols.get(words[i]!) ?? -1) : s.question ? QUESTION_ID : STATEMENT_ID;
        if (c >= 0) {
          this.emit(this.unigram[c]!, si);
          if (b >= 0) this.emit(this.bigram.get(b * S + c), si);
        }
        b = c;
      }
    }
    this.emit(this.lengthFeature[lengthBucket(words.length)]!, -1);
    this.emit(this.echoFeature[echoBucket(context.echoed)]!, -1);
    if (context.afterQuestion) this.emit(this.afterQuestionFeature, -1);
    this.out = EMPTY;
    this.sentenceOf = undefined;
    return this.count;
  }

  private emit(f: number, sentence: number): void {
    if (f < 0 || this.seenAt[f] === this.stamp) return;
    this.seenAt[f] = this.stamp;
    if (this.sentenceOf !== undefined) this.sentenceOf[this.count] = sentence;
    this.out[this.count++] = f;
  }

  /** Room `extract` needs for a turn: a word and a pair per word and end mark, and the context. */
  static capacity(tokens: Tokens): number {
    return 2 * (tokens.words.length + tokens.sentences.length) + 3;
  }
}
