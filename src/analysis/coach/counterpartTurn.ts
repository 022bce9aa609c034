import { ADVICE_REQUESTS, CHANGE_TALK, SUSTAIN_TALK } from './lexicon.js';
import { Cue, CueHits, compilePhrases, scanPhrases } from './phrases.js';
import { sentimentOf } from './sentiment.js';
import type { Tokens } from './tokenize.js';

// How the counterpart answers is the best evidence of how the practitioner is doing: a person
// who feels heard talks more, talks about changing (change talk) and argues less for staying
// as they are (sustain talk). MI research ties change talk to later change; here it is a signal.

const COUNTERPART_CUES = compilePhrases([
  [Cue.change, CHANGE_TALK],
  [Cue.sustain, SUSTAIN_TALK],
  [Cue.adviceRequest, ADVICE_REQUESTS],
]);

export interface CounterpartTurnCode {
  words: number;
  change: boolean;
  sustain: boolean;
  /** Asked for advice or ideas: what the practitioner offers next was invited. */
  asksAdvice: boolean;
  /** Sum of AFINN valences, negation-aware. */
  sentiment: number;
  rated: number;
}

export function codeCounterpartTurn(tokens: Tokens): CounterpartTurnCode {
  const hits = new CueHits();
  const { words } = tokens;
  scanPhrases(COUNTERPART_CUES, words, 0, words.length, hits);
  const { sum, rated } = sentimentOf(words);
  const change = hits.count[Cue.change]!;
  const sustain = hits.count[Cue.sustain]!;
  // A turn is coded by its balance: "I want to cut down but I can't" leans on the last word
  // less than a coder would, so a tie counts as neither.
  const asksAdvice = hits.has(Cue.adviceRequest) && tokens.sentences.some((s) => s.question);
  return { words: words.length, change: change > sustain, sustain: sustain > change, asksAdvice, sentiment: sum, rated };
}
