import type { Analyzer } from '../analysis/types.js';
import { score, type ScoreRow } from './feedback.js';

/** A feedback input as the rebuild streams it: JSON left as text, parsed where it is scored. */
export interface StaleInput {
  conversation_id: string;
  transcript: string;
  duration: number | null;
  context: string;
  input_hash: string;
}

export function scoreRows(analyzer: Analyzer, rows: StaleInput[]): ScoreRow[] {
  return rows.map((r) =>
    score(analyzer, {
      conversationId: r.conversation_id,
      transcript: JSON.parse(r.transcript),
      duration: r.duration,
      context: JSON.parse(r.context),
      inputHash: r.input_hash,
    }),
  );
}
