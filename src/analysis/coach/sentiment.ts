import { W, type WordInfo } from './vocabulary.js';

// Valence from AFINN-165 (Finn Årup Nielsen's list of English words rated -5..+5), looked up
// through the vocabulary so it costs nothing extra per word.

/** Sum of valences over a turn, a negator flipping the next two words ("not happy"). */
export function sentimentOf(infos: readonly WordInfo[]): { sum: number; rated: number } {
  let sum = 0;
  let rated = 0;
  let flip = 0;
  for (const info of infos) {
    if (info.flags & W.negator) {
      flip = 2;
      continue;
    }
    if (info.valence !== 0) {
      sum += flip > 0 ? -info.valence : info.valence;
      rated++;
    }
    if (flip > 0) flip--;
  }
  return { sum, rated };
}
