import type pg from 'pg';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
import type { RecordedEvent } from './types.js';

/** All events of the given streams, each stream in the order it was written. */
export async function readStreams(db: pg.Pool | pg.PoolClient, streamIds: string[]): Promise<Map<string, RecordedEvent[]>> {
  const byStream = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
  if (streamIds.length === 0) return byStream;
  const result = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, position`, [streamIds]);
  for (const row of result.rows) byStream.get(row.stream_id)?.push(toRecordedEvent(row));
  return byStream;
}
