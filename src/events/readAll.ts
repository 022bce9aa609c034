import type pg from 'pg';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
import type { RecordedEvent } from './types.js';

/** Where a reader of all events stands: the last (transaction id, position) it has seen. */
export interface Checkpoint {
  transactionId: string;
  position: string;
}

export const START: Checkpoint = { transactionId: '0', position: '0' };

// Positions come from a sequence taken before commit, so a transaction that started earlier can
// commit later with smaller positions. Reading only below the oldest transaction still running
// (the snapshot's xmin) and ordering by (transaction id, position) means nothing we have passed can
// still appear: every transaction below xmin has finished, committed or not. A reader that has no
// xid of its own (a plain SELECT) does not hold xmin back.
const SQL = `
SELECT ${EVENT_COLUMNS}
  FROM events
 WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY transaction_id, position
 LIMIT $3`;

// A reader that depends on another projection's tables must not pass that projection's checkpoint.
const SQL_UP_TO = `
SELECT ${EVENT_COLUMNS}
  FROM events
 WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
   AND (transaction_id, position) <= ($4::xid8, $5::bigint)
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY transaction_id, position
 LIMIT $3`;

export async function readAll(db: pg.Pool | pg.PoolClient, after: Checkpoint, limit: number, upTo?: Checkpoint): Promise<RecordedEvent[]> {
  const result = upTo
    ? await db.query<EventRow>(SQL_UP_TO, [after.transactionId, after.position, limit, upTo.transactionId, upTo.position])
    : await db.query<EventRow>(SQL, [after.transactionId, after.position, limit]);
  return result.rows.map(toRecordedEvent);
}

export function checkpointOf(event: Pick<RecordedEvent, 'transactionId' | 'position'>): Checkpoint {
  return { transactionId: event.transactionId, position: event.position };
}

export function isAfter(event: Pick<RecordedEvent, 'transactionId' | 'position'>, checkpoint: Checkpoint): boolean {
  const a = BigInt(event.transactionId);
  const b = BigInt(checkpoint.transactionId);
  return a !== b ? a > b : BigInt(event.position) > BigInt(checkpoint.position);
}
