import type pg from 'pg';
import { z } from 'zod';
import { toRecordedEvent, type EventRow } from './rows.js';
import type { SummarisedEvent } from './types.js';

// The streams a projection folds, with each transcript reduced to its length inside Postgres: a fold
// needs to know which transcript is fullest (and whether the person spoke in it), not its words,
// and 4 KB a conversation adds up.
const SQL = `
SELECT position, transaction_id, stream_id, type, schema_version,
       CASE WHEN type = 'TranscriptReceived' THEN (
         SELECT json_build_object('turnCount', count(*), 'userTurns', count(*) FILTER (WHERE x->>'role' = 'user'))
           FROM json_array_elements(data->'turns') x
       ) ELSE data END AS data,
       metadata, idempotency_key, recorded_at
  FROM events
 WHERE stream_id = ANY($1::text[])
 ORDER BY stream_id, position`;

const summary = z.object({ turnCount: z.number().int().nonnegative(), userTurns: z.number().int().nonnegative() });

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
