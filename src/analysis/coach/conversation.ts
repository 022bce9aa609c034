import type { Turn } from '../types.js';
import { codeCounterpartTurn, type CounterpartTurnCode } from './counterpartTurn.js';
import { CounterpartMemory } from './memory.js';
import { secondsOf } from './timing.js';
import { textOf, tokenize, type Tokens } from './tokenize.js';
import { codeUserTurn, type UserTurnCode } from './userTurn.js';

// One walk over the transcript in order: each turn is tokenized once and coded by whose it is.
// The practitioner's turns are coded against what the counterpart has said so far, so the walk
// must stay in order and single-pass.

export type Side = 'user' | 'counterpart' | 'other';

export interface TurnRecord {
  /** Index in the input transcript, the `turn` every evidence quote points at. */
  index: number;
  side: Side;
  tokens: Tokens;
  seconds: number | null;
  user?: UserTurnCode;
  counterpart?: CounterpartTurnCode;
}

function sideOf(role: unknown): Side {
  if (role === 'user') return 'user';
  if (role === 'assistant') return 'counterpart';
  return 'other';
}

/** Codes every turn; entries that are not objects (a broken payload) count as silent others. */
export function walkConversation(transcript: unknown): TurnRecord[] {
  const turns: unknown[] = Array.isArray(transcript) ? transcript : [];
  const memory = new CounterpartMemory();
  const records: TurnRecord[] = [];
  for (let index = 0; index < turns.length; index++) {
    const raw = turns[index];
    const turn = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Turn>;
    const side = sideOf(turn.role);
    // The system prompt is not part of the conversation, and other roles are not coded.
    const tokens = tokenize(side === 'other' ? '' : textOf(turn.content));
    const record: TurnRecord = { index, side, tokens, seconds: secondsOf(turn as Turn) };
    const infos = tokens.infos;
    if (side === 'user') record.user = codeUserTurn(tokens, memory, infos);
    else if (side === 'counterpart') {
      record.counterpart = codeCounterpartTurn(tokens, infos);
      memory.remember(infos);
    }
    records.push(record);
  }
  return records;
}
