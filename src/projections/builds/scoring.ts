import type { Analyzer, RecordedAnswer, Turn } from '../../analysis/types.js';
import { score, type FeedbackInput, type ScoreRow } from '../readModels/feedback.js';

/** A feedback input as the rebuild streams it: JSON left as text, parsed where it is scored. */
export interface StaleInput {
  conversation_id: string;
  /** The TranscriptReceived event's data, as text. */
  /** The talk, as JSON text. */
  transcript: string;
  duration: number | null;
  context: string;
  input_hash: string;
  /** The recordings for the transcript as a JSON array (null: none); only for analyzers that read them. */
  recordings?: string | null;
}

/** The rows to write; an input still waiting for a recorded answer gives none. */
export function scoreRows(analyzer: Analyzer, rows: StaleInput[]): ScoreRow[] {
  const scored: ScoreRow[] = [];
  for (const r of rows) {
    const row = score(analyzer, {
      conversationId: r.conversation_id,
      transcript: JSON.parse(r.transcript) as Turn[],
      duration: r.duration,
      context: JSON.parse(r.context) as FeedbackInput['context'],
      inputHash: r.input_hash,
      recordings: r.recordings ? (JSON.parse(r.recordings) as RecordedAnswer[]) : [],
    });
    if (row) scored.push(row);
  }
  return scored;
}
