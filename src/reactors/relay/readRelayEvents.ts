import type pg from 'pg';
import { kurrentEventId } from './eventId.js';

/** An event as the relay publishes it to KurrentDB. */
export interface RelayEvent {
  position: string;
  transactionId: string;
  streamId: string;
  /** Its index in its stream, counted in commit order: the revision it has in KurrentDB. */
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: RelayEventMetadata;
  recordedAt: Date;
}

/** The metadata the relay gives an event in KurrentDB: where it is in Postgres and what it carried. */
export interface RelayEventMetadata {
  position: string;
  schemaVersion: number;
  recordedAt: string;
  idempotencyKey: string;
  metadata: unknown;
  /**
   * The data key its personal fields are sealed under (src/privacy/): the data is published as it is
   * stored, ciphertext included, so erasing in Postgres (destroying that key) erases the copy too.
   */
  keyId?: string;
}

const keyIdOf = (data: unknown): string | undefined => {
  const sealed = (data as { sealed?: { kid?: unknown } } | null)?.sealed;
  return typeof sealed?.kid === 'string' ? sealed.kid : undefined;
};

// The revision is counted, not stored: an event's index in its stream in commit order is fixed once
// readAll has returned it (every transaction before it has finished), so any relay at any time
// derives the same revision for it, and appending costs nothing more. Conversation streams hold a
// handful of events, so counting them on the index by stream is cheap. The order is a FILTER, not a
// WHERE: as a condition the planner also ANDed in a scan of the commit-order index up to the event,
// which reads the whole history before it (seen: 3 ms an event at 60,000 events).
const SQL = `
SELECT e.position, e.transaction_id, e.stream_id, e.type, e.schema_version, e.data, e.metadata,
       e.idempotency_key, e.recorded_at,
       (SELECT count(*) FILTER (WHERE (p.transaction_id, p.position) < (e.transaction_id, e.position))
          FROM events p WHERE p.stream_id = e.stream_id) AS revision
  FROM events e
 WHERE e.position = ANY($1::bigint[])
 ORDER BY e.transaction_id, e.position`;

type Row = {
  position: string;
  transaction_id: string;
  stream_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  idempotency_key: string;
  recorded_at: Date;
  revision: string;
};

/** The events at these positions, in commit order, ready to publish. */
export async function readRelayEvents(db: pg.Pool | pg.PoolClient, positions: string[]): Promise<RelayEvent[]> {
  const { rows } = await db.query<Row>(SQL, [positions]);
  return rows.map((r) => ({
    position: r.position,
    transactionId: r.transaction_id,
    streamId: r.stream_id,
    revision: BigInt(r.revision),
    id: kurrentEventId(r.idempotency_key),
    type: r.type,
    data: r.data,
    metadata: {
      position: r.position,
      schemaVersion: r.schema_version,
      recordedAt: r.recorded_at.toISOString(),
      idempotencyKey: r.idempotency_key,
      metadata: r.metadata,
      ...(keyIdOf(r.data) ? { keyId: keyIdOf(r.data) } : {}),
    },
    recordedAt: r.recorded_at,
  }));
}
