import type pg from 'pg';
import type { Progress } from './readProgress.js';

// Facts only accumulate, so the row only moves forward: an earlier end, failed, a transcript. A
// refresh read from an older snapshot (the sweeper racing a callback) can therefore never undo a
// newer one.
const SQL = `
INSERT INTO reconcile_conversations AS r (stream_id, conversation_id, tavus_conversation_id, started_at, ended_at, failed, has_transcript)
SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::boolean[], $7::boolean[])
ON CONFLICT (stream_id) DO UPDATE
   SET ended_at = least(r.ended_at, excluded.ended_at),
       failed = r.failed OR excluded.failed,
       has_transcript = r.has_transcript OR excluded.has_transcript,
       updated_at = now()
 WHERE r.ended_at IS DISTINCT FROM least(r.ended_at, excluded.ended_at)
    OR (excluded.failed AND NOT r.failed)
    OR (excluded.has_transcript AND NOT r.has_transcript)`;

export async function saveProgress(db: pg.Pool | pg.PoolClient, progress: Progress[]): Promise<void> {
  if (progress.length === 0) return;
  await db.query(SQL, [
    progress.map((p) => p.streamId),
    progress.map((p) => p.conversationId),
    progress.map((p) => p.tavusConversationId),
    progress.map((p) => p.startedAt),
    progress.map((p) => p.endedAt),
    progress.map((p) => p.failed),
    progress.map((p) => p.hasTranscript),
  ]);
}
