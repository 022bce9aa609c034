import type { StartedConversation } from '../events/readStartedConversations.js';
import { conversationStream, idempotencyKey } from '../events/streams.js';
import type { EventMetadata, NewEvent, Turn } from '../events/types.js';
import { callbackType, type TavusCallback, type TranscriptEntry } from '../tavus/callbacks.js';

// A Tavus callback becomes the facts it reports. Pure: the stream's state and the delivery come in,
// events or a refusal go out. Repetitions need no special case here: a repeated fact gets the same
// idempotency key, and the store's unique constraint appends it once.

export interface RecordCallback {
  callback: TavusCallback;
  /** Our conversation id, from a verified callback token; null when the callback came without one. */
  tokenConversationId: string | null;
  /** WEBHOOK_AUTH=token: a callback must come on its conversation's token URL. */
  requireToken: boolean;
  delivery: { id: string; receivedAt: Date; bodySha256: string; requestId: string | null };
}

export type CallbackDecision =
  | { outcome: 'accepted'; events: NewEvent[] }
  | { outcome: 'rejected'; status: 401 | 404; message: string };

export function streamOf(command: RecordCallback): string {
  return conversationStream(command.callback.body.conversation_id);
}

export function decideCallback(started: StartedConversation | undefined, command: RecordCallback): CallbackDecision {
  const { tokenConversationId, requireToken } = command;
  if (requireToken && tokenConversationId === null) {
    return { outcome: 'rejected', status: 401, message: 'callbacks must come on the callback_url this service gave Tavus' };
  }
  if (started && tokenConversationId !== null && started.id !== tokenConversationId) {
    return { outcome: 'rejected', status: 401, message: 'this callback token belongs to another conversation' };
  }
  // A genuine token proves we asked Tavus for this conversation, even if our own record of its start
  // is not committed yet; without a token we only accept conversations we know.
  if (!started && tokenConversationId === null) {
    return { outcome: 'rejected', status: 404, message: `unknown conversation ${command.callback.body.conversation_id}` };
  }
  return { outcome: 'accepted', events: factsOf(command) };
}

/** Shutdown reasons that mean the conversation never really happened or broke. */
const FAILURE_REASON = /exception|error|fail|never[ _-]?joined|not[ _-]joined/i;

export function outcomeOfReason(reason: string | null | undefined): 'completed' | 'failed' {
  return reason && FAILURE_REASON.test(reason) ? 'failed' : 'completed';
}

function toTurns(entries: TranscriptEntry[]): { turns: Turn[]; systemPromptRemoved: boolean } {
  const turns: Turn[] = [];
  let systemPromptRemoved = false;
  for (const entry of entries) {
    // The system prompt (and any later system message) is instructions to the replica, not talk.
    if (entry.role === 'system') {
      systemPromptRemoved = true;
      continue;
    }
    const turn: Turn = { role: entry.role, content: entry.content };
    if (entry.timestamp != null) turn.timestamp = entry.timestamp;
    if (entry.seconds_from_start != null) turn.secondsFromStart = entry.seconds_from_start;
    turns.push(turn);
  }
  return { turns, systemPromptRemoved };
}

function factsOf(command: RecordCallback): NewEvent[] {
  const { callback, delivery } = command;
  const streamId = streamOf(command);
  const metadata: EventMetadata = {
    callbackId: delivery.id,
    callbackSha256: delivery.bodySha256,
    callbackType: callbackType(callback),
    receivedAt: delivery.receivedAt.toISOString(),
    source: 'tavus-callback',
    ...(delivery.requestId ? { requestId: delivery.requestId } : {}),
  };
  // Most facts are identified by all they say; a replica joining is one fact however it is announced.
  const event = <E extends Omit<NewEvent, 'streamId' | 'idempotencyKey' | 'metadata'>>(e: E, identity: unknown = e.data): NewEvent =>
    ({ ...e, streamId, metadata, idempotencyKey: idempotencyKey(streamId, e.type, identity) }) as NewEvent;

  switch (callback.kind) {
    case 'replica_joined': {
      const replicaId = callback.body.properties.replica_id ?? null;
      return [event({ type: 'ReplicaJoined', data: { replicaId, at: callback.body.timestamp ?? null, via: callback.body.event_type } }, [replicaId])];
    }
    case 'shutdown': {
      const reason = callback.body.properties.shutdown_reason ?? null;
      return [
        event({
          type: 'ConversationEnded',
          data: {
            outcome: outcomeOfReason(reason),
            reason,
            at: callback.body.timestamp ?? null,
            startedAt: null,
            durationSeconds: null,
            participantName: null,
            participantLeftAt: null,
          },
        }),
      ];
    }
    case 'transcription_ready':
      return [event({ type: 'TranscriptReceived', data: toTurns(callback.body.properties.transcript) })];
    case 'recording_ready': {
      const p = callback.body.properties;
      const bucket = p.bucket_name ?? null;
      const key = p.s3_key ?? null;
      const url = p.storage_uri ?? (bucket && key ? `s3://${bucket}/${key}` : null);
      return [
        event({
          type: 'RecordingReady',
          data: { url, storageProvider: p.storage_provider ?? (bucket ? 's3' : null), bucketName: bucket, key, durationSeconds: p.duration ?? null },
        }),
      ];
    }
    case 'perception_analysis':
      return [event({ type: 'PerceptionAnalysisReceived', data: { analysis: callback.body.properties.analysis } })];
    case 'reported_failure':
      return [event({ type: 'CallbackIgnored', data: { eventType: callback.body.event_type, reason: 'failure reported', properties: callback.body.properties } })];
    case 'unknown':
      return [event({ type: 'CallbackIgnored', data: { eventType: callback.body.event_type, reason: 'unknown event type', properties: callback.body.properties ?? null } })];
    case 'single_body': {
      const b = callback.body;
      const reason = b.end_reason ?? null;
      const failed = (b.status && /fail|error/i.test(b.status)) || outcomeOfReason(reason) === 'failed';
      const events = [
        event({
          type: 'ConversationEnded',
          data: {
            outcome: failed ? 'failed' : 'completed',
            reason: reason ?? b.status ?? null,
            at: b.ended_at ?? null,
            startedAt: b.started_at ?? null,
            durationSeconds: b.duration ?? null,
            participantName: b.participant_name ?? null,
            participantLeftAt: b.participant_left_at ?? null,
          },
        }),
      ];
      if (b.transcript) events.push(event({ type: 'TranscriptReceived', data: toTurns(b.transcript) }));
      if (b.recording_url) {
        events.push(
          event({ type: 'RecordingReady', data: { url: b.recording_url, storageProvider: null, bucketName: null, key: null, durationSeconds: null } }),
        );
      }
      return events;
    }
  }
}
