import { quoteSentence } from '../coach/tokenize.js';
import type { EvidenceQuote } from '../types.js';
import type { CodedTurn } from './conversation.js';
import type { Coach2Metrics } from './measures.js';
import type { Detectors } from './model.js';
import { quoteTurn } from './evidence.js';

// How the counterpart felt about the conversation as it went: their valence (AFINN-165, through
// coach@1's vocabulary) at the start and the end, and the moments that show it, where they
// opened up (talked toward change, or warmly) and where they pushed back (argued for staying as
// they are, or sounded negative). The quotes are the counterpart's own words.

export interface CounterpartSentiment {
  /** Mean valence per rated counterpart turn, first third and last third of the conversation (-5..5). */
  start: number | null;
  end: number | null;
  /** end − start; null with fewer than six rated turns. */
  trend: number | null;
  openedUp: EvidenceQuote[];
  pushedBack: EvidenceQuote[];
}

const MAX_MOMENTS = 2;

/** Turns where `strength` is at least 0.5, strongest first, then quoted in transcript order. */
function moments(turns: readonly CodedTurn[], strength: (t: CodedTurn) => number, quote: (t: CodedTurn) => EvidenceQuote): EvidenceQuote[] {
  return turns
    .filter((t) => t.counterpart !== undefined && strength(t) >= 0.5)
    .sort((a, b) => strength(b) - strength(a) || a.index - b.index)
    .slice(0, MAX_MOMENTS)
    .sort((a, b) => a.index - b.index)
    .map(quote)
    .filter((q) => q.quote.length > 0);
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 100) / 100;
}

/** The sentence with the strongest valence of the wanted sign. */
function quoteByValence(t: CodedTurn, sign: 1 | -1): EvidenceQuote {
  const { tokens } = t;
  let best = 0;
  let bestValue = 0;
  for (let i = 0; i < tokens.infos.length; i++) {
    const v = sign * tokens.infos[i]!.valence;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return { turn: t.index, quote: quoteSentence(tokens, best) };
}

export function counterpartSentiment(turns: readonly CodedTurn[], metrics: Coach2Metrics, detectors: Detectors): CounterpartSentiment {
  const rated = turns.filter((t) => t.counterpart !== undefined && t.counterpart.rated > 0).map((t) => t.counterpart!.valence / t.counterpart!.rated);
  const third = Math.floor(rated.length / 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const start = third > 0 ? mean(rated.slice(0, third)) : null;
  const end = third > 0 ? mean(rated.slice(rated.length - third)) : null;
  // A turn's valence counts once it is clearly warm or cold: a mean of ±1.5 per rated word.
  const warmth = (t: CodedTurn, sign: 1 | -1) => {
    const c = t.counterpart!;
    return c.rated > 0 ? (sign * c.valence) / c.rated / 3 : 0;
  };
  const change = moments(
    turns,
    (t) => t.counterpart!.change,
    (t) => quoteTurn(t, detectors, 'talk', 1),
  );
  const sustain = moments(
    turns,
    (t) => t.counterpart!.sustain,
    (t) => quoteTurn(t, detectors, 'talk', 2),
  );
  return {
    start: round(start),
    end: round(end),
    trend: metrics.counterpartSentimentTrend,
    openedUp:
      change.length > 0
        ? change
        : moments(
            turns,
            (t) => warmth(t, 1),
            (t) => quoteByValence(t, 1),
          ),
    pushedBack:
      sustain.length > 0
        ? sustain
        : moments(
            turns,
            (t) => warmth(t, -1),
            (t) => quoteByValence(t, -1),
          ),
  };
}
