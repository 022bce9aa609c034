import type { Analyzer, Turn } from '../../analysis/types.js';
import { score, type FeedbackInput, type ScoreRow } from '../readModels/feedback.js';

/** A feedback input as the rebuild streams it: JSON left as text, parsed where it is scored. */
export interface StaleInput {
  conversation_id: string;
  /** The TranscriptReceived event's data, as text. */
  transcript_event: string;
  duration: number | null;
  context: string;
  input_hash: string;
}

export function scoreRows(analyzer: Analyzer, rows: StaleInput[]): ScoreRow[] {
  return rows.map((r) =>
    score(analyzer, {
      conversationId: r.conversation_id,
      transcript: (JSON.parse(r.transcript_event) as { turns: Turn[] }).turns,
      duration: r.duration,
      context: JSON.parse(r.context) as FeedbackInput['context'],
      inputHash: r.input_hash,
    }),
  );
}
