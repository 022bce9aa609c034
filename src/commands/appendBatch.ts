import type pg from 'pg';
import { jsonOf } from '../events/json.js';
import type { AppendableEvent } from '../events/types.js';
import { hasUnreadableText, UnreadableTextError } from '../events/unreadableJson.js';

/** One callback delivery as received, recorded beside the events it produced. */
export interface Delivery {
  id: string;
  receivedAt: Date;
  streamId: string;
  eventType: string | null;
  /** The body exactly as received: only its digest is stored, keyed by the conversation's key (the door's doing). */
  receivedBody: string;
  /** The body: as received, less the credentials it echoes (see src/tavus/redact.ts); stored sealed. */
  body: string;
  requestId: string | null;
  /** Who brought it: Tavus POSTing a callback, or reconciliation replaying Tavus's verbose GET. */
  source: 'tavus-callback' | 'reconcile';
  /** Set when the delivery's events may only go in if its claim holds (see Claim). */
  claim: Claim | null;
}

/** A delivery as it is stored: its body sealed, and in place of the body as received its keyed digest. */
export type StoredDelivery = Omit<Delivery, 'receivedBody'> & { bodyDigest: string };

/**
 * A callback token binds to the one stream it was first used for (or its conversation started in).
 * Bindings never change, so a claim is only made while a token is still unbound; the unique key
 * decides between racing claims, and what depended on a lost claim is not appended.
 */
export interface Claim {
  /** Our conversation id, which the token names. */
  token: string;
  streamId: string;
}

export interface AppendOptions {
  deliveries?: StoredDelivery[];
  /** The claim each event depends on, by index; null or missing: none. */
  eventClaims?: (Claim | null)[];
  /** Claims to make; a lost claim refuses the events and deliveries that depend on it. */
  claims?: Claim[];
}

export interface AppendResult {
  /** Idempotency keys actually appended (the others were already in the history). */
  appended: Set<string>;
  /** `${token} ${streamId}` of claims lost to a binding to another stream. */
  lostClaims: Set<string>;
}

export const claimKey = (claim: Claim): string => `${claim.token} ${claim.streamId}`;

// What the one door (groupCommit.ts) writes for a batch of commands: their events, and what the
// commands' decisions bring along (callback deliveries for audit, token claims). The store itself
// (src/events/) knows none of these; the ordering of appends is the trigger's (migration 0016).
//
// One statement, one round trip, one commit for a whole batch:
// - claims bind unbound tokens; ON CONFLICT DO UPDATE (a no-op update) returns the binding that holds,
//   even one committed by a racing transaction after this statement's snapshot was taken;
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

function rowsOf(count: number, casts: readonly string[], offset: number): string {
  return count > 0 ? `VALUES ${values(count, casts, offset)}` : `SELECT ${casts.map((c) => `NULL${c}`).join(', ')} WHERE false`;
}

const CLAIM_CASTS = ['::uuid', '::text'] as const;
const DELIVERY_CASTS = ['::uuid', '::timestamptz', '::text', '::text', '::text', '::text', '::text', '::text', '::uuid'] as const;
const EVENT_CASTS = ['::text', '::text', '::json', '::jsonb', '::text', '::uuid'] as const;

function statement(claims: number, deliveries: number, events: number): string {
  const deliveriesAt = claims * CLAIM_CASTS.length;
  const eventsAt = deliveriesAt + deliveries * DELIVERY_CASTS.length;
  return `
WITH claims_in (token, stream_id) AS (${rowsOf(claims, CLAIM_CASTS, 0)}),
claimed AS (
  INSERT INTO token_bindings (token, stream_id) SELECT token, stream_id FROM claims_in
  ON CONFLICT (token) DO UPDATE SET token = excluded.token
  RETURNING token, stream_id
),
lost AS (
  SELECT c.token, c.stream_id FROM claims_in c JOIN claimed k ON k.token = c.token WHERE k.stream_id <> c.stream_id
),
delivered_in (id, received_at, stream_id, event_type, body_sha256, body, request_id, source, claim_token) AS (${rowsOf(deliveries, DELIVERY_CASTS, deliveriesAt)}),
incoming (stream_id, type, data, metadata, idempotency_key, claim_token) AS (${rowsOf(events, EVENT_CASTS, eventsAt)}),
appended AS (
  INSERT INTO events (stream_id, type, data, metadata, idempotency_key)
  SELECT stream_id, type, data, metadata, idempotency_key FROM incoming i
   WHERE NOT EXISTS (SELECT 1 FROM lost l WHERE l.token = i.claim_token AND l.stream_id = i.stream_id)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key
),
delivered AS (
  INSERT INTO callbacks (id, received_at, stream_id, event_type, body_sha256, body, request_id, source)
  SELECT id, received_at, stream_id, event_type, body_sha256, body, request_id, source FROM delivered_in d
   WHERE NOT EXISTS (SELECT 1 FROM lost l WHERE l.token = d.claim_token AND l.stream_id = d.stream_id)
)
SELECT idempotency_key, NULL::uuid AS lost_token, NULL AS lost_stream FROM appended
UNION ALL
SELECT NULL, token, stream_id FROM lost`;
}

/** Appends what is new in one statement (one commit, unless `db` is in a transaction). */
export async function appendBatch(db: pg.Pool | pg.PoolClient, events: AppendableEvent[], options: AppendOptions = {}): Promise<AppendResult> {
  const deliveries = options.deliveries ?? [];
  const claims = options.claims ?? [];
  if (events.length === 0 && deliveries.length === 0 && claims.length === 0) return { appended: new Set(), lostClaims: new Set() };
  const params: unknown[] = [];
  for (const c of claims) params.push(c.token, c.streamId);
  for (const d of deliveries)
    params.push(d.id, d.receivedAt.toISOString(), d.streamId, d.eventType, d.bodyDigest, d.body, d.requestId, d.source, d.claim?.token ?? null);
  events.forEach((e, i) => {
    const data = jsonOf(e.data);
    if (hasUnreadableText(data))
      throw new UnreadableTextError(`${e.type} holds a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot read back`);
    params.push(e.streamId, e.type, data, JSON.stringify(e.metadata), e.idempotencyKey, options.eventClaims?.[i]?.token ?? null);
  });
  const result = await db.query<{ idempotency_key: string | null; lost_token: string | null; lost_stream: string | null }>(
    statement(claims.length, deliveries.length, events.length),
    params,
  );
  const appended = new Set<string>();
  const lostClaims = new Set<string>();
  for (const row of result.rows) {
    if (row.idempotency_key !== null) appended.add(row.idempotency_key);
    else lostClaims.add(`${row.lost_token} ${row.lost_stream}`);
  }
  return { appended, lostClaims };
}
