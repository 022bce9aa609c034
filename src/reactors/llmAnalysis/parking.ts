import type pg from 'pg';
import { LLM_REACTOR } from './awaitingAnswers.js';

// The reactor's dead letters, in the table the projections park in (so `tavus-feedback deadletters`
// lists and retries both). A transcript is parked against its TranscriptReceived position: a fuller
// transcript arriving later is a new question and is asked at once.

/**
 * Parks a stream's transcript with the failure; parking it again counts one more attempt. With
 * `retryInMs` it is asked again by itself after that long, without only on an operator's request.
 */
export async function parkTranscript(
  db: pg.Pool | pg.PoolClient,
  streamId: string,
  transcriptPosition: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (projection, stream_id, error, failed_position, retry_at)
     VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 millisecond')
     ON CONFLICT (projection, stream_id) DO UPDATE SET
       error = excluded.error, failed_position = excluded.failed_position, attempts = dead_letters.attempts + 1,
       last_failed_at = now(), retry_requested = false, retry_at = excluded.retry_at`,
    [LLM_REACTOR, streamId, error.slice(0, 2_000), transcriptPosition, retryInMs],
  );
}

export async function unparkTranscript(db: pg.Pool | pg.PoolClient, streamId: string): Promise<void> {
  await db.query('DELETE FROM dead_letters WHERE projection = $1 AND stream_id = $2', [LLM_REACTOR, streamId]);
}
