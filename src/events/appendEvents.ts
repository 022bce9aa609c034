import type pg from 'pg';
import type { NewEvent } from './types.js';

/** One callback delivery as received, recorded beside the events it produced. */
export interface Delivery {
  id: string;
  receivedAt: Date;
  streamId: string;
  eventType: string | null;
  bodySha256: string;
  body: string;
  requestId: string | null;
}

// One statement, one round trip, one commit for a whole batch: events whose idempotency key is
// already taken are skipped by the constraint (racing duplicates included), and every delivery is
// kept for the audit trail. Arrays in, so a thousand callbacks cost what one does.
const SQL = `
WITH appended AS (
  INSERT INTO events (stream_id, type, data, metadata, idempotency_key)
  SELECT stream_id, type, data, metadata, idempotency_key
    FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::text[]) WITH ORDINALITY
         AS e(stream_id, type, data, metadata, idempotency_key, ord)
   ORDER BY ord
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key
), delivered AS (
  INSERT INTO callbacks (id, received_at, stream_id, event_type, body_sha256, body, request_id)
  SELECT * FROM unnest($6::uuid[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
)
SELECT idempotency_key FROM appended`;

/** Appends what is new; answers the idempotency keys that were actually appended. */
export async function appendEvents(db: pg.Pool | pg.PoolClient, events: NewEvent[], deliveries: Delivery[] = []): Promise<Set<string>> {
  if (events.length === 0 && deliveries.length === 0) return new Set();
  const result = await db.query<{ idempotency_key: string }>(SQL, [
    events.map((e) => e.streamId),
    events.map((e) => e.type),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
    events.map((e) => e.idempotencyKey),
    deliveries.map((d) => d.id),
    deliveries.map((d) => d.receivedAt.toISOString()),
    deliveries.map((d) => d.streamId),
    deliveries.map((d) => d.eventType),
    deliveries.map((d) => d.bodySha256),
    deliveries.map((d) => d.body),
    deliveries.map((d) => d.requestId),
  ]);
  return new Set(result.rows.map((r) => r.idempotency_key));
}
