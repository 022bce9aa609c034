import type pg from 'pg';
import { readStreams } from '../../events/readStreams.js';
import type { RecordedEvent } from '../../events/types.js';

// A conversation's whole story for an auditor: what Tavus sent (raw, duplicates included), which
// facts each delivery added to the history, and what every built analyzer version made of it.

export interface AuditTrail {
  streamId: string;
  events: { position: string; type: string; data: unknown; metadata: unknown; recordedAt: Date }[];
  callbacks: {
    id: string;
    receivedAt: Date;
    eventType: string | null;
    /** `tavus-callback`: Tavus POSTed it; `reconcile`: replayed by Tavus's verbose GET. */
    source: string;
    bodySha256: string;
    body: unknown;
    /** Positions of the events this delivery added; empty means the history already held it all. */
    produced: string[];
    duplicate: boolean;
  }[];
  feedback: { analyzer: string; live: boolean; score: number; scoredAt: Date; analysis: unknown }[];
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function auditTrail(db: pg.Pool, streamId: string, conversationId: string): Promise<AuditTrail> {
  const [streams, callbacks, feedback] = await Promise.all([
    readStreams(db, [streamId]),
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
  const events: RecordedEvent[] = streams.get(streamId) ?? [];
  const producedBy = new Map<string, string[]>();
  for (const e of events) {
    if (!e.metadata.callbackId) continue;
    producedBy.set(e.metadata.callbackId, [...(producedBy.get(e.metadata.callbackId) ?? []), e.position]);
  }
  return {
    streamId,
    events: events.map((e) => ({ position: e.position, type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt })),
    callbacks: callbacks.rows.map((c) => {
      const produced = producedBy.get(c.id) ?? [];
      return {
        id: c.id,
        receivedAt: c.received_at,
        eventType: c.event_type,
        source: c.source,
        bodySha256: c.body_sha256,
        body: parseBody(c.body),
        produced,
        duplicate: produced.length === 0,
      };
    }),
    feedback: feedback.rows.map((f) => ({ analyzer: f.analyzer, live: f.live ?? false, score: f.score, scoredAt: f.scored_at, analysis: f.analysis })),
  };
}
