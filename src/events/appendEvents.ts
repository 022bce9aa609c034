import type pg from 'pg';
import { jsonOf } from './json.js';
import { notifyAppended } from './notifyAppended.js';
import type { NewEvent } from './types.js';
import { hasUnreadableText, UnreadableTextError } from './unreadableJson.js';

/** One callback delivery as received, recorded beside the events it produced. */
export interface Delivery {
  id: string;
  receivedAt: Date;
  streamId: string;
  eventType: string | null;
  bodySha256: string;
  body: string;
  requestId: string | null;
  /**
   * The conversation (our id) the delivery's callback token names, or null without a token. If the
   * stream's ConversationStarted names another, the delivery and its events are refused.
   */
  owner: string | null;
}

export interface AppendResult {
  /** Idempotency keys actually appended (the others were already in the history). */
  appended: Set<string>;
  /** `${streamId} ${owner}` of deliveries refused because their token names another conversation. */
  foreign: Set<string>;
}

// One statement, one round trip, one commit for a whole batch:
// - a delivery whose token names another conversation than its stream's start is refused, checked
//   here, in the same statement as the write, rather than by a read before it;
// - events whose idempotency key is already taken are skipped by the constraint (racing duplicates
//   included);
// - every accepted delivery is kept for the audit trail.
// Each value is its own parameter: no array literal to escape on our side, no JSON to unpack on
// Postgres's, which matters with 4 KB transcripts at thousands a second.

function values(rows: number, casts: readonly string[], offset: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(`(${casts.map((cast, c) => `$${offset + r * casts.length + c + 1}${cast}`).join(', ')})`);
  }
  return out.join(',\n');
}

const DELIVERY_CASTS = ['::uuid', '::timestamptz', '::text', '::text', '::text', '::text', '::text', '::text'] as const;
const EVENT_CASTS = ['::text', '::text', '::json', '::jsonb', '::text', '::text'] as const;

function statement(events: number, deliveries: number): string {
  const deliveredIn = deliveries > 0
    ? `VALUES ${values(deliveries, DELIVERY_CASTS, 0)}`
    : 'SELECT NULL::uuid, NULL::timestamptz, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text WHERE false';
  const incoming = events > 0
    ? `VALUES ${values(events, EVENT_CASTS, deliveries * DELIVERY_CASTS.length)}`
    : 'SELECT NULL::text, NULL::text, NULL::json, NULL::jsonb, NULL::text, NULL::text WHERE false';
  return `
WITH delivered_in (id, received_at, stream_id, event_type, body_sha256, body, request_id, owner) AS (${deliveredIn}),
-- The starts are looked up by the array of streams (last parameter): the planner cannot size a
-- VALUES list, and left to itself it scanned every start in the history instead of the index.
starts AS (
  SELECT stream_id, data->>'id' AS id FROM events
   WHERE stream_id = ANY($${deliveries * DELIVERY_CASTS.length + events * EVENT_CASTS.length + 1}::text[]) AND type = 'ConversationStarted'
),
foreign_owner AS (
  SELECT DISTINCT d.stream_id, d.owner
    FROM delivered_in d JOIN starts s ON s.stream_id = d.stream_id
   WHERE d.owner IS NOT NULL AND s.id IS DISTINCT FROM d.owner
),
incoming (stream_id, type, data, metadata, idempotency_key, owner) AS (${incoming}),
appended AS (
  INSERT INTO events (stream_id, type, data, metadata, idempotency_key)
  SELECT stream_id, type, data, metadata, idempotency_key FROM incoming i
   WHERE NOT EXISTS (SELECT 1 FROM foreign_owner f WHERE f.stream_id = i.stream_id AND f.owner = i.owner)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key
),
delivered AS (
  INSERT INTO callbacks (id, received_at, stream_id, event_type, body_sha256, body, request_id)
  SELECT id, received_at, stream_id, event_type, body_sha256, body, request_id FROM delivered_in d
   WHERE NOT EXISTS (SELECT 1 FROM foreign_owner f WHERE f.stream_id = d.stream_id AND f.owner = d.owner)
)
SELECT idempotency_key, NULL AS foreign_stream, NULL AS foreign_owner FROM appended
UNION ALL
SELECT NULL, stream_id, owner FROM foreign_owner`;
}

/**
 * Appends what is new, then wakes the projection runners; `owners` gives each event's delivery owner
 * (see Delivery.owner).
 */
export async function appendEvents(
  db: pg.Pool | pg.PoolClient,
  events: NewEvent[],
  deliveries: Delivery[] = [],
  owners: (string | null)[] = [],
): Promise<AppendResult> {
  if (events.length === 0 && deliveries.length === 0) return { appended: new Set(), foreign: new Set() };
  const params: unknown[] = [];
  for (const d of deliveries) params.push(d.id, d.receivedAt.toISOString(), d.streamId, d.eventType, d.bodySha256, d.body, d.requestId, d.owner);
  events.forEach((e, i) => {
    const data = jsonOf(e.data);
    if (hasUnreadableText(data)) throw new UnreadableTextError(`${e.type} holds a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot read back`);
    params.push(e.streamId, e.type, data, JSON.stringify(e.metadata), e.idempotencyKey, owners[i] ?? null);
  });
  params.push([...new Set(deliveries.filter((d) => d.owner !== null).map((d) => d.streamId))]);
  const result = await db.query<{ idempotency_key: string | null; foreign_stream: string | null; foreign_owner: string | null }>(
    statement(events.length, deliveries.length),
    params,
  );
  const appended = new Set<string>();
  const foreign = new Set<string>();
  for (const row of result.rows) {
    if (row.idempotency_key !== null) appended.add(row.idempotency_key);
    else foreign.add(`${row.foreign_stream} ${row.foreign_owner}`);
  }
  if (appended.size > 0) await notifyAppended(db);
  return { appended, foreign };
}
