import type pg from 'pg';
import { conversationStream } from '../events/streams.js';
import { auditTrail } from '../projections/readModels/audit.js';
import { findConversation } from '../projections/readModels/conversationQueries.js';

/** `tavus-feedback audit <id>`: the timeline as text, or as JSON with --json. */
export async function printAudit(pool: pg.Pool, ref: string, asJson: boolean): Promise<void> {
  // The operator's view: any user's conversation. One whose start never got recorded still has a
  // history worth showing.
  const row = await findConversation(pool, ref, null);
  const tavusId = row?.conversation_id ?? ref;
  const trail = await auditTrail(pool, conversationStream(tavusId), row?.id ?? '00000000-0000-0000-0000-000000000000');
  if (!row && trail.events.length === 0 && trail.callbacks.length === 0) throw new Error(`no conversation ${ref}`);
  if (asJson) {
    console.log(JSON.stringify({ conversation: row ?? null, ...trail }, null, 2));
    return;
  }
  console.log(
    row ? `conversation ${row.id} (Tavus ${row.conversation_id}), user ${row.user_id}, ${String(row.status)}` : `stream ${trail.streamId} (no start recorded)`,
  );
  type Line = { at: Date; text: string };
  const lines: Line[] = [];
  for (const c of trail.callbacks) {
    const what = c.duplicate ? 'duplicate, added nothing' : `added event${c.produced.length > 1 ? 's' : ''} ${c.produced.join(', ')}`;
    const how = c.source === 'reconcile' ? 'replayed by reconciliation' : 'received';
    lines.push({
      at: c.receivedAt,
      text: `callback ${c.eventType ?? 'conversation.ended (single body)'} ${how}, sha256 ${c.bodySha256.slice(0, 12)}: ${what}`,
    });
  }
  for (const e of trail.events) lines.push({ at: e.recordedAt, text: `event ${e.position} ${e.type}` });
  for (const f of trail.feedback) lines.push({ at: f.scoredAt, text: `feedback ${f.analyzer}${f.live ? ' (live)' : ''} scored ${f.score}` });
  lines.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const l of lines) console.log(`${l.at.toISOString()}  ${l.text}`);
}
