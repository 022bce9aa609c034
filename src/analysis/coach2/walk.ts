import { CounterpartMemory } from '../coach/memory.js';
import { textOf, tokenize, type Tokens } from '../coach/tokenize.js';
import { W } from '../coach/vocabulary.js';
import type { Turn } from '../types.js';
import type { TurnContext } from './features.js';

// One walk over the transcript, in order: each turn tokenized once (coach@1's tokenizer) and
// given its context, what the other side said just before. Training and analysis both walk
// through here, so a detector sees at run time exactly what it was trained on.

export type Side = 'user' | 'counterpart' | 'other';

export interface WalkedTurn {
  /** Index in the input transcript, the `turn` every evidence quote points at. */
  index: number;
  side: Side;
  tokens: Tokens;
  context: TurnContext;
}

function sideOf(role: unknown): Side {
  if (role === 'user') return 'user';
  if (role === 'assistant') return 'counterpart';
  return 'other';
}

const NO_CONTEXT: TurnContext = { echoed: 0, afterQuestion: false };

/** Content words of `tokens` that `memory` heard in the other side's last two turns. */
function echoedIn(tokens: Tokens, memory: CounterpartMemory): number {
  let n = 0;
  for (const info of tokens.infos) if (info.flags & W.content && memory.heard(info.stem) === 2) n++;
  return n;
}

function asks(tokens: Tokens): boolean {
  for (const s of tokens.sentences) if (s.question) return true;
  return false;
}

/** Entries that are not objects (a broken payload) count as silent others. */
export function walk(transcript: unknown): WalkedTurn[] {
  const turns: unknown[] = Array.isArray(transcript) ? transcript : [];
  // What the counterpart said lately, by stem (a reflection restates it), and whether each
  // side's last turn asked something.
  const heard = new CounterpartMemory();
  const out: WalkedTurn[] = [];
  let userAsked = false;
  let counterpartAsked = false;
  for (let index = 0; index < turns.length; index++) {
    const raw = turns[index];
    const turn = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Turn>;
    const side = sideOf(turn.role);
    // The system prompt is not part of the conversation, and other roles are not coded.
    const tokens = tokenize(side === 'other' ? '' : textOf(turn.content));
    let context = NO_CONTEXT;
    if (side === 'user') {
      context = { echoed: echoedIn(tokens, heard), afterQuestion: counterpartAsked };
      userAsked = asks(tokens);
    } else if (side === 'counterpart') {
      context = { echoed: 0, afterQuestion: userAsked };
      heard.remember(tokens.infos);
      counterpartAsked = asks(tokens);
    }
    // The slots the coding step fills (conversation.ts) exist from the start, so every turn
    // object keeps one shape and the code reading them stays monomorphic.
    const walked: WalkedTurn & { user: undefined; counterpart: undefined } = { index, side, tokens, context, user: undefined, counterpart: undefined };
    out.push(walked);
  }
  return out;
}
