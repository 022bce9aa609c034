import type { TalkTurn } from './talk.js';

// Finding a model's quote in the transcript. Models copy words faithfully but not always their
// punctuation, case or typography, so both sides are compared normalised: Unicode-compatible
// forms, lower case, apostrophes dropped ("don’t" = "dont"), every other non-letter a space.
// Words must match whole and in order; an ellipsis in a quote ("I think … next week") lets the
// parts around it be apart, within the same turn.

const ELLIPSIS = /\[?(?:\.{3,}|…)\]?/u;

export function normalise(text: string): string {
  return ` ${text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘ʼ`]/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

function fragmentsOf(quote: string): string[] {
  return quote
    .split(ELLIPSIS)
    .map(normalise)
    .filter((f) => f.trim() !== '');
}

function containsInOrder(haystack: string, fragments: readonly string[]): boolean {
  let from = 0;
  for (const fragment of fragments) {
    const at = haystack.indexOf(fragment, from);
    if (at < 0) return false;
    // Fragments are padded with spaces; the next may start on the space this one ends with.
    from = at + fragment.length - 1;
  }
  return true;
}

export interface NormalisedTalk {
  turn: number;
  speaker: TalkTurn['speaker'];
  words: string;
}

export function normaliseTalk(talk: readonly TalkTurn[]): NormalisedTalk[] {
  return talk.map((t) => ({ turn: t.turn, speaker: t.speaker, words: normalise(t.text) }));
}

/**
 * The turn a quote comes from, the person's turns searched first (feedback quotes them), then the
 * partner's; null when it is in none, or says nothing once normalised.
 */
export function locateQuote(quote: string, talk: readonly NormalisedTalk[]): number | null {
  const fragments = fragmentsOf(quote);
  if (fragments.length === 0) return null;
  for (const speaker of ['person', 'partner'] as const) {
    for (const t of talk) {
      if (t.speaker === speaker && containsInOrder(t.words, fragments)) return t.turn;
    }
  }
  return null;
}
