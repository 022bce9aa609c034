// Every cue list is compiled once, at load, into one map from a phrase's first word to the
// phrases that start with it. Scanning a sentence is then one map lookup per word, whatever
// the number of lists, instead of one regex per phrase per turn.

export const Cue = {
  reflection: 0,
  advice: 1,
  info: 2,
  permission: 3,
  affirm: 4,
  summary: 5,
  openInvite: 6,
  nextStep: 7,
  hedge: 8,
  change: 9,
  sustain: 10,
  adviceRequest: 11,
  social: 12,
} as const;
export type Cue = (typeof Cue)[keyof typeof Cue];
export const CUE_COUNT = 13;

export interface Phrase {
  /** The words after the first two (after the first, for one-word phrases: none). */
  tail: string[];
  cue: Cue;
}

/**
 * The phrases that start with one word. Common first words ("you", "i") start dozens of
 * phrases, so longer phrases are grouped by their second word: a scan looks up the next word
 * once instead of trying every phrase.
 */
export interface PhraseStart {
  /** Cues that are this word alone. */
  single: Cue[];
  /** Second word → phrases of two or more words. */
  bySecond: Map<string, Phrase[]>;
}

export type PhraseIndex = Map<string, PhraseStart>;

export function compilePhrases(lists: ReadonlyArray<readonly [Cue, readonly string[]]>): PhraseIndex {
  const index: PhraseIndex = new Map();
  for (const [cue, phrases] of lists) {
    for (const phrase of phrases) {
      // Cue phrases are plain lower-case words and apostrophes (a test checks that the
      // tokenizer reads them the same way), so a split on spaces is enough.
      const words = phrase.split(' ').filter((w) => w.length > 0);
      const [first, second] = words;
      if (first === undefined) continue;
      let start = index.get(first);
      if (start === undefined) index.set(first, (start = { single: [], bySecond: new Map() }));
      if (second === undefined) {
        start.single.push(cue);
        continue;
      }
      let group = start.bySecond.get(second);
      if (group === undefined) start.bySecond.set(second, (group = []));
      group.push({ tail: words.slice(2), cue });
    }
  }
  return index;
}

/** Where each cue was first heard in a stretch of words (-1: not heard), and how often. */
export class CueHits {
  readonly first = new Int32Array(CUE_COUNT).fill(-1);
  readonly count = new Int32Array(CUE_COUNT);

  has(cue: Cue): boolean {
    return this.count[cue]! > 0;
  }

  /** Ready for the next turn; lets one instance serve every turn without allocating. */
  reset(): this {
    this.first.fill(-1);
    this.count.fill(0);
    return this;
  }
}

/**
 * Records the cue phrases found in words[from, to) into `hits` and answers them as a bit set
 * (bit n for cue n). A phrase must end inside the range, so cues never join across sentences.
 * `infos[i]` is the vocabulary entry of words[i], which lists the phrases that start with it.
 */
export function scanPhrases(
  infos: ReadonlyArray<{ userCues: PhraseStart | null; counterpartCues: PhraseStart | null }>,
  side: 'userCues' | 'counterpartCues',
  words: readonly string[],
  from: number,
  to: number,
  hits: CueHits,
): number {
  let mask = 0;
  for (let i = from; i < to; i++) {
    const start = infos[i]![side];
    if (start === null) continue;
    for (const cue of start.single) {
      mask |= 1 << cue;
      if (hits.first[cue] === -1) hits.first[cue] = i;
      hits.count[cue]!++;
    }
    if (i + 1 >= to) continue;
    const group = start.bySecond.get(words[i + 1]!);
    if (group === undefined) continue;
    for (const phrase of group) {
      const tail = phrase.tail;
      if (i + 2 + tail.length > to) continue;
      let k = 0;
      while (k < tail.length && words[i + 2 + k] === tail[k]) k++;
      if (k < tail.length) continue;
      const cue = phrase.cue;
      mask |= 1 << cue;
      if (hits.first[cue] === -1) hits.first[cue] = i;
      hits.count[cue]!++;
    }
  }
  return mask;
}
