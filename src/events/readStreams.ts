import type pg from 'pg';
import { HISTORY_ORDER } from './readAll.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
import type { RecordedEvent } from './types.js';

/** All events of the given streams, each stream in the history's one order. */
export async function readStreams(db: pg.Pool | pg.PoolClient, streamIds: string[]): Promise<Map<string, RecordedEvent[]>> {
  const byStream = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
  if (streamIds.length === 0) return byStream;
  const result = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, ${HISTORY_ORDER}`, [
    streamIds,
  ]);
  for (const row of result.rows) byStream.get(row.stream_id)?.push(toRecordedEvent(row));
  return byStream;
}
