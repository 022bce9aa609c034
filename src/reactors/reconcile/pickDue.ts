import type pg from 'pg';
import { isUuid } from '../../validation.js';

// Which conversations to ask Tavus about now. A conversation is worth asking about while it lacks
// an end, or an end and a transcript (a failed start needs none: `complete` says so), once it is old
// enough that its callbacks should have come:
// - started more than `afterSeconds` ago (by default Tavus's longest call plus five minutes), or
// - ended more than `transcriptAfterSeconds` ago without its transcript (Tavus sends it seconds
//   after the shutdown, so a missing one is noticed long before the first rule would);
// and not older than `giveUpAfterSeconds` (null: no limit), not told unknown by Tavus (404), not
// waiting out its backoff (unless asked by hand), and not asked already in this pass.

export interface DueCriteria {
  now: Date;
  afterSeconds: number;
  transcriptAfterSeconds: number;
  giveUpAfterSeconds: number | null;
  honourBackoff: boolean;
}

export interface DueConversation {
  streamId: string;
  conversationId: string;
  tavusConversationId: string;
  attempts: number;
  lastResult: string | null;
}

const COLUMNS = 'stream_id, conversation_id, tavus_conversation_id, attempts, last_result';

const SQL = `
SELECT ${COLUMNS}
  FROM reconcile_conversations
 WHERE NOT complete AND last_result IS DISTINCT FROM 'unknown'
   AND (started_at <= $1::timestamptz - make_interval(secs => $2)
        OR ended_at <= $1::timestamptz - make_interval(secs => $3))
   AND ($4::float8 IS NULL OR started_at > $1::timestamptz - make_interval(secs => $4))
   AND (NOT $5 OR next_attempt_at IS NULL OR next_attempt_at <= $1::timestamptz)
   AND stream_id <> ALL($6::text[])
 ORDER BY started_at, stream_id
 LIMIT $7`;

type Row = { stream_id: string; conversation_id: string; tavus_conversation_id: string; attempts: number; last_result: string | null };

const toDue = (r: Row): DueConversation => ({
  streamId: r.stream_id,
  conversationId: r.conversation_id,
  tavusConversationId: r.tavus_conversation_id,
  attempts: r.attempts,
  lastResult: r.last_result,
});

export async function pickDue(db: pg.Pool, criteria: DueCriteria, exclude: string[], limit: number): Promise<DueConversation[]> {
  const { rows } = await db.query<Row>(SQL, [
    criteria.now.toISOString(),
    criteria.afterSeconds,
    criteria.transcriptAfterSeconds,
    criteria.giveUpAfterSeconds,
    criteria.honourBackoff,
    exclude,
    limit,
  ]);
  return rows.map(toDue);
}

/** One conversation by our id or Tavus's, whatever its state; undefined when it never started here. */
export async function findTracked(db: pg.Pool, ref: string): Promise<(DueConversation & { complete: boolean }) | undefined> {
  const { rows } = await db.query<Row & { complete: boolean }>(
    `SELECT ${COLUMNS}, complete FROM reconcile_conversations WHERE stream_id = 'conversation-' || $1 ${isUuid(ref) ? 'OR conversation_id = $1::uuid' : ''}`,
    [ref],
  );
  const row = rows[0];
  return row && { ...toDue(row), complete: row.complete };
}
