import type { EventType } from '../events/types.js';

/**
 * What is personal in each event type: these top-level fields of its data are sealed under the
 * conversation's key before the event is appended. Everything else (ids, types, times, statuses,
 * counts, scores' inputs that are not words) stays readable, so routing, ordering, idempotency and
 * the audit of what happened work without the key. A new event type must say what it holds here.
 */
export const PERSONAL_FIELDS: Record<EventType, readonly string[]> = {
  // The name the app gave the conversation, and its meeting link (a credential while it lives).
  ConversationStarted: ['conversationName', 'conversationUrl'],
  ReplicaJoined: [],
  ConversationEnded: ['participantName'],
  // What was said, cleaned and as received.
  TranscriptReceived: ['turns', 'received'],
  RecordingReady: ['url', 'key'],
  // Tavus's description of the person on camera.
  PerceptionAnalysisReceived: ['analysis'],
  // Values the replica extracted from what the person said.
  ObjectiveCompleted: ['outputVariables'],
  GuardrailTriggered: ['reason'],
  CallbackIgnored: ['properties'],
  // A model's answer quotes the transcript.
  AnalysisRecorded: ['answer'],
  RecordingStored: ['source', 'key'],
  ConversationErased: [],
};

export function hasPersonalFields(type: EventType): boolean {
  return PERSONAL_FIELDS[type].length > 0;
}
