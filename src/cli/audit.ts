import type pg from 'pg';
import { conversationStream } from '../events/streams.js';
import { auditTrail } from '../projections/readModels/audit.js';
import { findConversation, findErasedConversation } from '../projections/readModels/conversationQueries.js';
import type { Keyring } from '../privacy/keyring.js';

/** `tavus-feedback audit <id>`: the timeline as text, or as JSON with --json. */
export async function printAudit(pool: pg.Pool, keyring: Keyring, ref: string, asJson: boolean): Promise<void> {
  // The operator's view: any user's conversation. One whose start never got recorded still has a
  // history worth showing, and so has an erased one.
  const row = await findConversation(pool, ref, null);
  const erased = row ? undefined : await findErasedConversation(pool, ref);
  const streamId = erased?.stream_id ?? conversationStream(row?.conversation_id ?? ref);
  const trail = await auditTrail(pool, keyring, streamId, row?.id ?? erased?.conversation_id ?? '00000000-0000-0000-0000-000000000000');
  if (!row && trail.events.length === 0 && trail.callbacks.length === 0) throw new Error(`no conversation ${ref}`);
  if (asJson) {
    console.log(JSON.stringify({ conversation: row ?? null, erased: erased ?? null, ...trail }, null, 2));
    return;
  }
  console.log(
    row
      ? `conversation ${row.id} (Tavus ${row.conversation_id}), user ${row.user_id}, ${String(row.status)}`
      : erased
        ? `conversation ${erased.conversation_id} (${erased.stream_id}), erased ${erased.erased_at.toISOString()} by ${erased.erased_by}`
        : `stream ${trail.streamId} (no start recorded)`,
  );
  type Line = { at: Date; text: string };
  const lines: Line[] = [];
  for (const c of trail.callbacks) {
    const what = c.duplicate ? 'duplicate, added nothing' : `added event${c.produced.length > 1 ? 's' : ''} ${c.produced.join(', ')}`;
    const how = c.source === 'reconcile' ? 'replayed by reconciliation' : 'received';
    lines.push({
      at: c.receivedAt,
      text: `callback ${c.eventType ?? 'conversation.ended (single body)'} ${how}, digest ${c.bodySha256.slice(0, 24)}: ${what}${c.body === null ? ' (body erased)' : ''}`,
    });
  }
  for (const e of trail.events) lines.push({ at: e.recordedAt, text: `event ${e.position} ${e.type}${e.erased ? ' (personal fields erased)' : ''}` });
  for (const f of trail.feedback) lines.push({ at: f.scoredAt, text: `feedback ${f.analyzer}${f.live ? ' (live)' : ''} scored ${f.score}` });
  lines.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const l of lines) console.log(`${l.at.toISOString()}  ${l.text}`);
}
