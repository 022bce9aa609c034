import { conversationStream } from '../../events/streams.js';
import type { TavusCallback } from '../../tavus/callbacks.js';

/** A Tavus callback to record, with how it arrived. */
export interface RecordCallback {
  callback: TavusCallback;
  /** The conversation a genuine callback token names (our id), or null when it came without one. */
  token: { conversationId: string; issuedAt: Date | null } | null;
  policy: CallbackPolicy;
  /** The channel that brought it: Tavus POSTing to us (the default), or our own GET of the conversation. */
  source?: CallbackSource;
  delivery: {
    id: string;
    receivedAt: Date;
    /** The body exactly as received: the audit keeps its digest keyed by the conversation's key, not the text. */
    receivedBody: string;
    /** The body as it is kept: as received, less the credentials it echoes. */
    storedBody: string;
    requestId: string | null;
  };
}

export type CallbackSource = 'tavus-callback' | 'reconcile';

export interface CallbackPolicy {
  /** WEBHOOK_AUTH=token: a callback must come on its conversation's token URL. */
  requireToken: boolean;
  /** How long after its conversation started a callback token is honoured. */
  tokenTtlSeconds: number;
}

export function streamOf(command: RecordCallback): string {
  return conversationStream(command.callback.body.conversation_id);
}
