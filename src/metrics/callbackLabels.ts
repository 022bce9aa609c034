import { callbackType, type TavusCallback } from '../tavus/callbacks.js';

// Labels must come from a small, fixed set: a label taken from what a sender wrote (an unknown
// event_type, an objective's own name) would let any caller create series without end.

const KNOWN_TYPES = new Set([
  'system.replica_joined',
  'system.pal_joined',
  'system.shutdown',
  'application.transcription_ready',
  'application.recording_ready',
  'application.perception_analysis',
  'application.recording_copy_failed',
  'application.perception_unavailable',
  'conversation.ended',
]);

/** The callback's type as a label: Tavus's event_type when it is one we know, else its kind. */
export function callbackTypeLabel(callback: TavusCallback): string {
  if (callback.kind === 'objective_completed') return 'objective_completed';
  if (callback.kind === 'guardrail_triggered') return 'guardrail_triggered';
  const type = callbackType(callback);
  return KNOWN_TYPES.has(type) ? type : 'other';
}

/** Why a callback was refused before (or without) the command deciding, from the answer's status. */
export function outcomeOfStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 404:
      return 'unknown_conversation';
    case 413:
      return 'too_large';
    case 415:
      return 'not_json';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'error' : `status_${Math.trunc(status / 100)}xx`;
  }
}
