import type { EvidenceQuote } from '../types.js';
import type { TurnRecord } from './conversation.js';
import type { UserTurnCode } from './userTurn.js';
import { quoteSentence } from './tokenize.js';

// Picks the person's own words to back a piece of feedback. Quotes are the sentence where the
// behaviour was heard, so a long turn yields one readable line, not a wall of text.

const MAX_QUOTES = 3;

export type Spot = keyof UserTurnCode['at'];

/**
 * The first few user turns where `spot` was found and `keep` holds, in transcript order; turns
 * that `prefer` marks as the clearest examples come first when there are more than enough.
 */
export function quotesWhere(
  records: readonly TurnRecord[],
  spot: Spot,
  keep: (u: UserTurnCode) => boolean,
  prefer: (u: UserTurnCode) => boolean = () => true,
  limit = MAX_QUOTES,
): EvidenceQuote[] {
  const matching = records.filter((r) => r.user !== undefined && keep(r.user));
  const clear = matching.filter((r) => prefer(r.user!));
  const chosen = (clear.length >= limit ? clear : [...clear, ...matching.filter((r) => !prefer(r.user!))]).slice(0, limit).sort((a, b) => a.index - b.index);
  return chosen.map((r) => ({ turn: r.index, quote: quoteSentence(r.tokens, Math.max(0, r.user!.at[spot])) })).filter((q) => q.quote.length > 0);
}

/** The user turn with the most of something (e.g. words), quoted where `spot` was heard or from its start. */
export function quoteMost(records: readonly TurnRecord[], measure: (u: UserTurnCode) => number, spot?: Spot): EvidenceQuote[] {
  let best: TurnRecord | null = null;
  let bestValue = 0;
  for (const r of records) {
    if (r.user === undefined) continue;
    const v = measure(r.user);
    if (v > bestValue) {
      best = r;
      bestValue = v;
    }
  }
  if (best === null) return [];
  const at = spot === undefined ? 0 : best.user!.at[spot];
  return [{ turn: best.index, quote: quoteSentence(best.tokens, Math.max(0, at)) }];
}

/**
 * The person's turns just before the counterpart's turns that satisfy `pick` (for instance, the
 * question that drew their longest answer): the person's words that led to that response.
 */
export function quotesBefore(records: readonly TurnRecord[], pick: (r: TurnRecord) => boolean, limit = 2): EvidenceQuote[] {
  const out: EvidenceQuote[] = [];
  let lastUser: TurnRecord | null = null;
  for (const r of records) {
    if (r.user !== undefined && r.user.words > 0 && !r.user.backchannel) lastUser = r;
    else if (r.counterpart !== undefined && lastUser !== null && pick(r)) {
      const u = lastUser.user!;
      const at = u.at.question >= 0 ? u.at.question : u.at.reflection >= 0 ? u.at.reflection : 0;
      out.push({ turn: lastUser.index, quote: quoteSentence(lastUser.tokens, at) });
      lastUser = null;
      if (out.length === limit) break;
    }
  }
  return out;
}

/** The last thing the person said, when nothing better can show the point. */
export function lastWords(records: readonly TurnRecord[]): EvidenceQuote[] {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.user !== undefined && r.user.words > 0) {
      const s = r.tokens.sentences[r.tokens.sentences.length - 1]!;
      return [{ turn: r.index, quote: quoteSentence(r.tokens, s.start) }];
    }
  }
  return [];
}
