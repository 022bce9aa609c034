import type { AnnomiRow } from '../annomi.js';
import { walkConversation } from './conversation.js';
import type { BehaviourCode } from './userTurn.js';

// How often the turn coder agrees with human coders, per behaviour: precision (of the turns we
// called a question, how many the coders did) and recall (of the coders' questions, how many we
// found). AnnoMI's `therapist_input` is what we call `input`.

export interface Agreement {
  precision: number;
  recall: number;
  /** Turns the coders gave this label. */
  support: number;
}

const CODES: BehaviourCode[] = ['question', 'reflection', 'input', 'other'];

export function detectorAgreement(rows: readonly AnnomiRow[]): Record<BehaviourCode, Agreement> {
  const tp = new Map<BehaviourCode, number>();
  const predicted = new Map<BehaviourCode, number>();
  const actual = new Map<BehaviourCode, number>();
  const add = (m: Map<BehaviourCode, number>, k: BehaviourCode) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const row of rows) {
    for (const r of walkConversation(row.transcript)) {
      const label = row.labels[r.index]?.behaviour;
      if (r.user === undefined || label === undefined || label === 'n/a') continue;
      const gold: BehaviourCode = label === 'therapist_input' ? 'input' : label;
      add(actual, gold);
      add(predicted, r.user.code);
      if (gold === r.user.code) add(tp, gold);
    }
  }
  const out = {} as Record<BehaviourCode, Agreement>;
  for (const code of CODES) {
    const hit = tp.get(code) ?? 0;
    out[code] = {
      precision: hit / Math.max(1, predicted.get(code) ?? 0),
      recall: hit / Math.max(1, actual.get(code) ?? 0),
      support: actual.get(code) ?? 0,
    };
  }
  return out;
}
