import { createHash } from 'node:crypto';
import type { Analyzer, RecordedAnswer, Turn } from '../../analysis/types.js';
import { analyzerId } from '../../analysis/types.js';
import type { EventHead } from '../../events/types.js';
import { tavusIdOfStream } from '../../events/streams.js';
import type { Projection } from '../runtime/projection.js';

// Scores of one analyzer version. Reads feedback_inputs (written just before, in the same
// transaction, by the conversations projection) and scores only what changed since it last scored.

export interface FeedbackInput {
  conversationId: string;
  transcript: Turn[];
  duration: number | null;
  context: { name?: string; description?: string | null; rubric?: unknown };
  inputHash: string;
  /** Answers recorded for this transcript (AnalysisRecorded data), for analyzers that read them. */
  recordings?: readonly RecordedAnswer[];
}

export interface ScoreRow {
  conversation_id: string;
  id: string;
  score: number;
  analysis: unknown;
  input_hash: string;
}

/** The feedback row's id: the same for every analyzer version, so links survive a switch. */
export function feedbackId(conversationId: string): string {
  const h = createHash('sha256').update(`feedback:${conversationId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Whether an analyzer scores from recorded answers (llm@1): only then do the scoring queries fetch
 * recordings, so the others read exactly what they read before.
 */
export function readsRecordings(analyzer: Analyzer): boolean {
  return typeof analyzer.pending === 'function';
}

/** The row to write, or null while the analyzer still waits for something (an answer not recorded yet). */
export function score(analyzer: Analyzer, input: FeedbackInput): ScoreRow | null {
  const analysisInput = {
    transcript: input.transcript,
    durationSeconds: input.duration,
    context: { name: input.context.name, description: input.context.description ?? undefined, rubric: input.context.rubric ?? undefined },
    recordings: input.recordings ?? [],
  };
  // A pending result is not feedback: no row, so a reader sees no feedback yet rather than zeros.
  if (analyzer.pending?.(analysisInput)) return null;
  const result = analyzer.analyze(analysisInput);
  return {
    conversation_id: input.conversationId,
    id: feedbackId(input.conversationId),
    score: result.score,
    analysis: result.analysis,
    input_hash: input.inputHash,
  };
}

// Inputs are read from feedback_inputs alone, in the clear: the events hold the transcript and the
// recorded answers sealed, and scoring never opens them.
const staleInputs = (withRecordings: boolean) => `
SELECT i.conversation_id, i.transcript, i.duration, i.context, i.input_hash${withRecordings ? `, i.recordings` : ''}
  FROM conversations c
  JOIN feedback_inputs i ON i.conversation_id = c.id
  LEFT JOIN feedback_scores s ON s.analyzer = $2 AND s.conversation_id = i.conversation_id
 WHERE c.conversation_id = ANY($1::text[])
   AND s.input_hash IS DISTINCT FROM i.input_hash`;

export const UPSERT_SCORES = `
INSERT INTO feedback_scores (analyzer, conversation_id, id, score, analysis, input_hash, scored_at)
SELECT $1, conversation_id, id, score, analysis, input_hash, now()
  FROM jsonb_to_recordset($2::jsonb) AS r(conversation_id uuid, id uuid, score integer, analysis jsonb, input_hash text)
ON CONFLICT (analyzer, conversation_id) DO UPDATE SET
  score = excluded.score, analysis = excluded.analysis, input_hash = excluded.input_hash, scored_at = excluded.scored_at`;

export function feedbackCheckpointName(id: string): string {
  return `feedback:${id}`;
}

export function feedbackProjection(analyzer: Analyzer): Projection {
  const id = analyzerId(analyzer);
  const sql = staleInputs(readsRecordings(analyzer));
  return {
    name: feedbackCheckpointName(id),
    async apply(client, events: EventHead[]) {
      const tavusIds = [...new Set(events.map((e) => tavusIdOfStream(e.streamId)))];
      const stale = await client.query<{
        conversation_id: string;
        transcript: Turn[];
        duration: number | null;
        context: FeedbackInput['context'];
        input_hash: string;
        recordings?: RecordedAnswer[] | null;
      }>(sql, [tavusIds, id]);
      if (stale.rows.length === 0) return;
      const rows: ScoreRow[] = [];
      for (const r of stale.rows) {
        const row = score(analyzer, {
          conversationId: r.conversation_id,
          transcript: r.transcript,
          duration: r.duration,
          context: r.context,
          inputHash: r.input_hash,
          recordings: r.recordings ?? [],
        });
        if (row) rows.push(row);
      }
      if (rows.length > 0) await client.query(UPSERT_SCORES, [id, JSON.stringify(rows)]);
      return { feedbackChanged: rows.map((r) => r.conversation_id) };
    },
  };
}
