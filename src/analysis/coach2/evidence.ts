import { quoteSentence } from '../coach/tokenize.js';
import type { EvidenceQuote } from '../types.js';
import type { Family } from './codes.js';
import type { CodedTurn, CounterpartCodes, PractitionerCodes } from './conversation.js';
import type { Detectors } from './model.js';

// Picks the words that back a finding: the turns where a code was clearest, each quoted at the
// sentence that weighs most for that code (coach@1's quoting: one readable sentence, shortened).

const MAX_QUOTES = 3;

/** A code to quote: the family, the class, and how strongly a turn shows it (0: not at all). */
export interface CodeToQuote {
  family: Family;
  cls: number;
  strength: (u: PractitionerCodes) => number;
}

/** The practitioner turns that show `code` most (strength ≥ 0.5), quoted, in transcript order. */
export function quotesOfCode(turns: readonly CodedTurn[], detectors: Detectors, code: CodeToQuote, limit = MAX_QUOTES): EvidenceQuote[] {
  const ranked = turns
    .filter((t) => t.user !== undefined && code.strength(t.user) >= 0.5)
    .map((t) => ({ t, s: code.strength(t.user!) }))
    // Strongest first; ties keep transcript order, so the choice is stable.
    .sort((a, b) => b.s - a.s || a.t.index - b.t.index)
    .slice(0, limit)
    .map(({ t }) => t)
    .sort((a, b) => a.index - b.index);
  return ranked.map((t) => quoteTurn(t, detectors, code.family, code.cls)).filter((q) => q.quote.length > 0);
}

export function quoteTurn(t: CodedTurn, detectors: Detectors, family: Family, cls: number): EvidenceQuote {
  const model = t.side === 'user' ? detectors.user : detectors.counterpart;
  const sentence = model.strongestSentence(t.tokens, t.context, family, cls);
  return { turn: t.index, quote: quoteSentence(t.tokens, t.tokens.sentences[sentence]?.start ?? 0) };
}

/** The practitioner's last words before each counterpart turn that `pick` chooses: what led to that answer. */
export function quotesBefore(turns: readonly CodedTurn[], pick: (c: CounterpartCodes) => boolean, limit = 2): EvidenceQuote[] {
  const out: EvidenceQuote[] = [];
  let last: CodedTurn | null = null;
  for (const t of turns) {
    if (t.user !== undefined) last = t;
    else if (t.counterpart !== undefined && last !== null && pick(t.counterpart)) {
      out.push({ turn: last.index, quote: quoteSentence(last.tokens, last.tokens.sentences[last.tokens.sentences.length - 1]?.start ?? 0) });
      last = null;
      if (out.length === limit) break;
    }
  }
  return out;
}

/** The practitioner turn with the most of something, quoted from its start. */
export function quoteMost(turns: readonly CodedTurn[], measure: (u: PractitionerCodes) => number): EvidenceQuote[] {
  let best: CodedTurn | null = null;
  for (const t of turns) if (t.user !== undefined && (best === null || measure(t.user) > measure(best.user!))) best = t;
  return best === null ? [] : [{ turn: best.index, quote: quoteSentence(best.tokens, 0) }];
}

/** The last thing the practitioner said, when nothing better shows the point. */
export function lastWords(turns: readonly CodedTurn[]): EvidenceQuote[] {
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i]!;
    if (t.user !== undefined) return [{ turn: t.index, quote: quoteSentence(t.tokens, t.tokens.sentences[t.tokens.sentences.length - 1]!.start) }];
  }
  return [];
}
