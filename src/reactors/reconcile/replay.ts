import type { CallbackPolicy, RecordCallback } from '../../commands/recordCallback/command.js';
import { newDeliveryId } from '../../commands/recordCallback/handler.js';
import { parseCallback, type TavusCallback } from '../../tavus/callbacks.js';
import { describeFieldErrors } from '../../validation.js';

// The events of a verbose GET, as the callbacks they replay: each becomes the same command a POSTed
// callback does, so it meets exactly the same decision. What differs is said, not special-cased:
// the channel (source `reconcile`), no callback token (we asked Tavus with our API key, so the
// answer is trusted; decide still refuses conversations that never started here), and a delivery
// of its own in the audit trail, marked as replayed.

/** Keys whose values carry our callback token: Tavus echoes the callback URL in every body. */
const CREDENTIAL_KEYS = new Set(['webhook_url', 'callback_url']);
export const REDACTED = '(redacted)';

function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, CREDENTIAL_KEYS.has(k) && v != null ? REDACTED : redacted(v)]));
}

/** Epoch seconds, as the GET may give them, in the ISO-8601 the callback envelope expects. */
function isoEnvelope(body: Record<string, unknown>): Record<string, unknown> {
  const t = body.timestamp;
  return typeof t === 'number' && Number.isFinite(t) ? { ...body, timestamp: new Date(t * 1000).toISOString() } : body;
}

export interface Replay {
  commands: RecordCallback[];
  /** Events that could not be read as a callback, with why: counted and logged, never recorded. */
  unreadable: string[];
}

export interface ReplayContext {
  tavusConversationId: string;
  receivedAt: Date;
  /** Names the pass that fetched it (requestId of its deliveries), for tracing. */
  passId: string;
  tokenTtlSeconds: number;
}

export function replayedCallbacks(events: unknown[], context: ReplayContext): Replay {
  const policy: CallbackPolicy = { requireToken: false, tokenTtlSeconds: context.tokenTtlSeconds };
  const commands: RecordCallback[] = [];
  const unreadable: string[] = [];
  events.forEach((event, i) => {
    const parsed = readEvent(event, context.tavusConversationId);
    if (typeof parsed === 'string') return unreadable.push(`event ${i}: ${parsed}`);
    commands.push({
      callback: parsed.callback,
      token: null,
      policy,
      source: 'reconcile',
      delivery: {
        id: newDeliveryId(),
        receivedAt: context.receivedAt,
        // No delivery of Tavus's to prove: what is digested is the event as kept, so the token Tavus
        // echoes in it never rides along in the command.
        receivedBody: parsed.stored,
        storedBody: parsed.stored,
        requestId: context.passId,
      },
    });
  });
  return { commands, unreadable };
}

function readEvent(event: unknown, tavusConversationId: string): { callback: TavusCallback; stored: string } | string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'not an object';
  const body = event as Record<string, unknown>;
  // Without a type it would read as the original single-body form, which Tavus never replays.
  if (typeof body.event_type !== 'string') return 'no event_type';
  if (body.conversation_id != null && body.conversation_id !== tavusConversationId) return 'names another conversation';
  // Kept as answered, less the credentials; read with the envelope a callback would have.
  const stored = JSON.stringify(redacted(body));
  const parsed = parseCallback(redacted(isoEnvelope({ ...body, conversation_id: tavusConversationId })));
  if (!parsed.ok) return describeFieldErrors(parsed.errors);
  return { callback: parsed.callback, stored };
}
