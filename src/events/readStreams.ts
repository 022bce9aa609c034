import type pg from 'pg';
import type { Keyring, KeyState } from '../privacy/keyring.js';
import { openEventData } from '../privacy/sealing.js';
import { HISTORY_ORDER } from './readAll.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
import type { RecordedEvent } from './types.js';

// Streams read whole, their sealed fields opened with each conversation's key (src/privacy/).

/** An event as an auditor sees it: opened when its key exists, its clear part marked erased when not. */
export type AuditedEvent = { erased: false; event: RecordedEvent } | { erased: true; row: EventRow & { data: Record<string, unknown> } };

async function readRows(db: pg.Pool | pg.PoolClient, keyring: Keyring, streamIds: readonly string[]) {
  const [result, keys] = await Promise.all([
    db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, ${HISTORY_ORDER}`, [streamIds]),
    keyring.forReading(db, streamIds),
  ]);
  return { rows: result.rows, keyOf: (streamId: string): KeyState => keys.get(streamId) };
}

/**
 * All events of the given streams, each stream in the history's one order, opened. Events that can
 * no longer be opened (their conversation erased) are left out: what folds a stream sees of an
 * erased conversation is its tombstone, and whatever carried nothing personal.
 */
export async function readStreams(db: pg.Pool | pg.PoolClient, keyring: Keyring, streamIds: string[]): Promise<Map<string, RecordedEvent[]>> {
  const byStream = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
  if (streamIds.length === 0) return byStream;
  const { rows, keyOf } = await readRows(db, keyring, streamIds);
  for (const row of rows) {
    const opened = openEventData(row.stream_id, row.type, row.data, keyOf(row.stream_id));
    if (opened.erased) continue;
    byStream.get(row.stream_id)?.push(toRecordedEvent({ ...row, data: opened.data }));
  }
  return byStream;
}

/** One stream for its audit: every event, erased ones with only what stays in the clear. */
export async function readStreamForAudit(db: pg.Pool | pg.PoolClient, keyring: Keyring, streamId: string): Promise<AuditedEvent[]> {
  const { rows, keyOf } = await readRows(db, keyring, [streamId]);
  return rows.map((row) => {
    const opened = openEventData(row.stream_id, row.type, row.data, keyOf(row.stream_id));
    return opened.erased
      ? { erased: true, row: { ...row, data: opened.data as Record<string, unknown> } }
      : { erased: false, event: toRecordedEvent({ ...row, data: opened.data }) };
  });
}
