import type pg from 'pg';
import { readStreamForAudit } from '../../events/readStreams.js';
import type { Keyring } from '../../privacy/keyring.js';
import { openBody } from '../../privacy/sealing.js';

// A conversation's whole story for an auditor: what Tavus sent (raw, duplicates included), which
// facts each delivery added to the history, and what every built analyzer version made of it. Once
// the conversation is erased, what stays: every event's type, time and clear fields, marked erased,
// every delivery's time and type, and the tombstone.

export interface AuditTrail {
  streamId: string;
  events: { position: string; type: string; data: unknown; metadata: unknown; recordedAt: Date; erased: boolean }[];
  callbacks: {
    id: string;
    receivedAt: Date;
    eventType: string | null;
    /** `tavus-callback`: Tavus POSTed it; `reconcile`: replayed by Tavus's verbose GET. */
    source: string;
    /** A digest keyed by the conversation's key (hmac-sha256:...), or the SHA-256 of bodies kept before sealing. */
    bodySha256: string;
    /** Null once the conversation is erased. */
    body: unknown;
    /** Positions of the events this delivery added; empty means the history already held it all. */
    produced: string[];
    duplicate: boolean;
  }[];
  feedback: { analyzer: string; live: boolean; score: number; scoredAt: Date; analysis: unknown }[];
}

function parseBody(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function auditTrail(db: pg.Pool, keyring: Keyring, streamId: string, conversationId: string): Promise<AuditTrail> {
  const [audited, keys, callbacks, feedback] = await Promise.all([
    readStreamForAudit(db, keyring, streamId),
    keyring.forReading(db, [streamId]),
    db.query<{ id: string; received_at: Date; event_type: string | null; source: string; body_sha256: string; body: string }>(
      'SELECT id, received_at, event_type, source, body_sha256, body FROM callbacks WHERE stream_id = $1 ORDER BY received_at, id',
      [streamId],
    ),
    db.query<{ analyzer: string; live: boolean; score: number; scored_at: Date; analysis: unknown }>(
      `SELECT s.analyzer, s.analyzer = (SELECT analyzer FROM feedback_live) AS live, s.score, s.scored_at, s.analysis
         FROM feedback_scores s WHERE s.conversation_id = $1 ORDER BY s.analyzer`,
      [conversationId],
    ),
  ]);
  const events = audited.map((a) =>
    a.erased
      ? { position: a.row.position, type: a.row.type, data: a.row.data, metadata: a.row.metadata, recordedAt: a.row.recorded_at, erased: true }
      : { position: a.event.position, type: a.event.type, data: a.event.data, metadata: a.event.metadata, recordedAt: a.event.recordedAt, erased: false },
  );
  const producedBy = new Map<string, string[]>();
  for (const e of events) {
    const callbackId = (e.metadata as { callbackId?: string }).callbackId;
    if (!callbackId) continue;
    producedBy.set(callbackId, [...(producedBy.get(callbackId) ?? []), e.position]);
  }
  return {
    streamId,
    events,
    callbacks: callbacks.rows.map((c) => {
      const produced = producedBy.get(c.id) ?? [];
      return {
        id: c.id,
        receivedAt: c.received_at,
        eventType: c.event_type,
        source: c.source,
        bodySha256: c.body_sha256,
        body: parseBody(openBody(streamId, c.body, keys.get(streamId))),
        produced,
        duplicate: produced.length === 0,
      };
    }),
    feedback: feedback.rows.map((f) => ({ analyzer: f.analyzer, live: f.live ?? false, score: f.score, scoredAt: f.scored_at, analysis: f.analysis })),
  };
}
