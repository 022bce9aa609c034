import type pg from 'pg';
import { z } from 'zod';
import { HISTORY_ORDER } from './readAll.js';
import { toRecordedEvent, type EventRow } from './rows.js';
import type { SummarisedEvent } from './types.js';

// The streams a projection folds, with each transcript reduced to its length inside Postgres: a fold
// needs to know which transcript is fullest (and whether the person may have spoken in it), not its
// words, and 4 KB a conversation adds up.
//
// `mentionsUser`: the event's JSON holds the string value "user" (a user turn's role, or a row as
// received). A quote inside text is escaped (\"), so speech cannot fake it, and a user turn always
// shows it: false means the person said nothing, for certain, at the cost of one scan of the text
// (counting turns by role parses every turn again and tripled the cost of a summary).
const SQL = `
SELECT position, transaction_id, stream_id, type, schema_version,
       CASE WHEN type = 'TranscriptReceived'
            THEN json_build_object('turnCount', json_array_length(data->'turns'), 'mentionsUser', strpos(data::text, '"user"') > 0)
            ELSE data END AS data,
       metadata, idempotency_key, recorded_at
  FROM events
 WHERE stream_id = ANY($1::text[])
 ORDER BY stream_id, ${HISTORY_ORDER}`;

const summary = z.object({ turnCount: z.number().int().nonnegative(), mentionsUser: z.boolean() });

export async function readStreamSummaries(db: pg.Pool | pg.PoolClient, streamIds: string[]): Promise<Map<string, SummarisedEvent[]>> {
  const byStream = new Map<string, SummarisedEvent[]>(streamIds.map((id) => [id, []]));
  if (streamIds.length === 0) return byStream;
  const result = await db.query<EventRow>(SQL, [streamIds]);
  for (const row of result.rows) {
    const event: SummarisedEvent =
      row.type === 'TranscriptReceived'
        ? { ...toRecordedEvent({ ...row, data: { turns: [], systemPromptRemoved: false } }), type: 'TranscriptReceived', data: summary.parse(row.data) }
        : (toRecordedEvent(row) as SummarisedEvent);
    byStream.get(row.stream_id)?.push(event);
  }
  return byStream;
}
