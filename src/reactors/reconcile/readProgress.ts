import type pg from 'pg';
import { HISTORY_ORDER } from '../../events/readAll.js';
import { earliestInstant, isTrusted, statusOf } from '../../events/conversationFacts.js';

// What the history holds of some conversations, as far as reconciliation cares: started when, ended
// when (the earliest end), failed or not, transcript or not. Folded with the same order-independent
// rules as the read models (src/events/conversationFacts.ts), from a few columns of three event types:
// transcripts are only counted, never read.

export interface Progress {
  streamId: string;
  conversationId: string;
  tavusConversationId: string;
  startedAt: string;
  endedAt: string | null;
  failed: boolean;
  hasTranscript: boolean;
}

const SQL = `
SELECT stream_id, type,
       CASE WHEN type = 'ConversationStarted' THEN data->>'id' END AS conversation_id,
       CASE WHEN type = 'ConversationStarted' THEN data->>'tavusConversationId' END AS tavus_conversation_id,
       CASE type WHEN 'ConversationStarted' THEN data->>'startedAt' WHEN 'ConversationEnded' THEN data->>'at' END AS at,
       CASE WHEN type = 'ConversationEnded' THEN data->>'outcome' END AS outcome,
       metadata->>'tokenConversationId' AS token_conversation_id,
       metadata->>'receivedAt' AS received_at
  FROM events
 WHERE stream_id = ANY($1::text[]) AND type IN ('ConversationStarted', 'ConversationEnded', 'TranscriptReceived', 'ConversationErased')
 ORDER BY stream_id, ${HISTORY_ORDER}`;

type Row = {
  stream_id: string;
  type: 'ConversationStarted' | 'ConversationEnded' | 'TranscriptReceived' | 'ConversationErased';
  conversation_id: string | null;
  tavus_conversation_id: string | null;
  at: string | null;
  outcome: 'completed' | 'failed' | null;
  token_conversation_id: string | null;
  received_at: string | null;
};

const LATEST = Date.parse('9999-12-31T23:59:59Z');

/** An instant Postgres can store, as ISO-8601, or null: an odd value in an event must not stop the sweeper. */
function storableInstant(value: string | null | undefined): string | null {
  if (value == null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < 0 || ms > LATEST ? null : new Date(ms).toISOString();
}

/**
 * Conversations whose start is not in the history are left out: there is nothing to reconcile yet.
 * So are erased ones: asking Tavus again would only bring back what was erased.
 */
export async function readProgress(db: pg.Pool | pg.PoolClient, streamIds: string[]): Promise<Progress[]> {
  if (streamIds.length === 0) return [];
  const { rows } = await db.query<Row>(SQL, [streamIds]);
  const byStream = new Map<string, Row[]>();
  for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);

  const progress: Progress[] = [];
  for (const [streamId, events] of byStream) {
    if (events.some((e) => e.type === 'ConversationErased')) continue;
    const start = events.find((e) => e.type === 'ConversationStarted');
    const startedAt = storableInstant(start?.at);
    if (!start?.conversation_id || !start.tavus_conversation_id || !startedAt) continue;
    const trusted = events.filter((e) =>
      isTrusted(e.token_conversation_id === null ? {} : { tokenConversationId: e.token_conversation_id }, start.conversation_id!),
    );
    const ends = trusted.filter((e) => e.type === 'ConversationEnded');
    progress.push({
      streamId,
      conversationId: start.conversation_id,
      tavusConversationId: start.tavus_conversation_id,
      startedAt,
      endedAt: earliestInstant(ends.map((e) => storableInstant(e.at) ?? storableInstant(e.received_at))),
      failed: statusOf(ends.map((e) => ({ outcome: e.outcome === 'failed' ? 'failed' : 'completed' }))) === 'failed',
      hasTranscript: trusted.some((e) => e.type === 'TranscriptReceived'),
    });
  }
  return progress;
}
