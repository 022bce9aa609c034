import type pg from 'pg';
import type { EventHead } from './types.js';

/** Where a reader of all events stands: the last (transaction id, position) it has seen. */
export interface Checkpoint {
  transactionId: string;
  position: string;
}

export const START: Checkpoint = { transactionId: '0', position: '0' };

/**
 * The one order of the history, for every reader: all events, every stream's, folds, the relay's
 * revisions. Appenders number events in commit order (migration 0016), so nothing can still appear
 * before an event a reader has seen, and no reader waits on any transaction to read.
 */
export const HISTORY_ORDER = 'transaction_id, position';

// Only where each event is and what it is: projections read the streams they need themselves, so
// megabytes of transcripts do not travel twice.
const HEAD_COLUMNS = 'position, transaction_id, stream_id, type';

const SQL = `
SELECT ${HEAD_COLUMNS}
  FROM events
 WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
 ORDER BY ${HISTORY_ORDER}
 LIMIT $3`;

// A reader that depends on another projection's tables must not pass that projection's checkpoint.
const SQL_UP_TO = `
SELECT ${HEAD_COLUMNS}
  FROM events
 WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
   AND (transaction_id, position) <= ($4::xid8, $5::bigint)
 ORDER BY ${HISTORY_ORDER}
 LIMIT $3`;

type HeadRow = { position: string; transaction_id: string; stream_id: string; type: string };

export async function readAll(db: pg.Pool | pg.PoolClient, after: Checkpoint, limit: number, upTo?: Checkpoint): Promise<EventHead[]> {
  const result = upTo
    ? await db.query<HeadRow>(SQL_UP_TO, [after.transactionId, after.position, limit, upTo.transactionId, upTo.position])
    : await db.query<HeadRow>(SQL, [after.transactionId, after.position, limit]);
  return result.rows.map((r) => ({ position: r.position, transactionId: r.transaction_id, streamId: r.stream_id, type: r.type }));
}

export function checkpointOf(event: Pick<EventHead, 'transactionId' | 'position'>): Checkpoint {
  return { transactionId: event.transactionId, position: event.position };
}

export function isAfter(event: Pick<EventHead, 'transactionId' | 'position'>, checkpoint: Checkpoint): boolean {
  const a = BigInt(event.transactionId);
  const b = BigInt(checkpoint.transactionId);
  return a !== b ? a > b : BigInt(event.position) > BigInt(checkpoint.position);
}
