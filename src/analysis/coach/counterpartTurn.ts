import { Cue, CueHits, scanPhrases } from './phrases.js';
import { sentimentOf } from './sentiment.js';
import type { Tokens } from './tokenize.js';
import type { WordInfo } from './vocabulary.js';

// How the counterpart answers is the best evidence of how the practitioner is doing: a person
// who feels heard talks more, talks about changing (change talk) and argues less for staying
// as they are (sustain talk). MI research ties change talk to later change; here it is a signal.

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

// Reused by every call: coding is synchronous and never re-entrant, and nothing keeps `hits`.
const HITS = new CueHits();

export function codeCounterpartTurn(tokens: Tokens, infos: readonly WordInfo[] = tokens.infos): CounterpartTurnCode {
  const hits = HITS.reset();
  const { words } = tokens;
  scanPhrases(infos, 'counterpartCues', words, 0, words.length, hits);
  const { sum, rated } = sentimentOf(infos);
  const change = hits.count[Cue.change]!;
  const sustain = hits.count[Cue.sustain]!;
  // A turn is coded by its balance: "I want to cut down but I can't" leans on the last word
  // less than a coder would, so a tie counts as neither.
  const asksAdvice = hits.has(Cue.adviceRequest) && tokens.sentences.some((s) => s.question);
  return { words: words.length, change: change > sustain, sustain: sustain > change, asksAdvice, sentiment: sum, rated };
}
