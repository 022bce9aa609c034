import { outcomeOfReason } from '../../events/conversationFacts.js';
import { idempotencyKey } from '../../events/streams.js';
import type { EventData, EventMetadata, NewEvent } from '../../events/types.js';
import { callbackType } from '../../tavus/callbacks.js';
import { cleanTranscript } from '../../tavus/transcript.js';
import { streamOf, type RecordCallback } from './command.js';

// The facts a callback reports, as events. Repetitions need no special case: a repeated fact gets
// the same idempotency key (it hashes the fact, never the delivery or the channel), and the store's
// unique constraint appends it once.

/** The transcript fact: the talk, and the rows as received when they differ from it. */
function transcriptOf(rows: unknown[]): EventData<'TranscriptReceived'> {
  const cleaned = cleanTranscript(rows);
  const data: EventData<'TranscriptReceived'> = { turns: cleaned.turns, systemPromptRemoved: cleaned.systemPromptRemoved };
  if (cleaned.changed || Object.keys(cleaned.setAside).length > 0) {
    data.received = cleaned.systemPromptRemoved ? rows.slice(1) : rows;
    data.setAside = cleaned.setAside;
  }
  return data;
}

export function metadataOf(command: RecordCallback): EventMetadata {
  const { delivery, token } = command;
  return {
    callbackId: delivery.id,
    callbackSha256: delivery.bodySha256,
    callbackType: callbackType(command.callback),
    receivedAt: delivery.receivedAt.toISOString(),
    source: 'tavus-callback',
    ...(delivery.requestId ? { requestId: delivery.requestId } : {}),
    ...(token ? { tokenConversationId: token.conversationId } : {}),
  };
}

export function factsOf(command: RecordCallback, metadata: EventMetadata = metadataOf(command)): NewEvent[] {
  const { callback } = command;
  const streamId = streamOf(command);
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
      return [event({ type: 'TranscriptReceived', data: transcriptOf(callback.body.properties.transcript) })];
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
    case 'objective_completed': {
      const b = callback.body;
      return [event({ type: 'ObjectiveCompleted', data: { name: b.objective_name, outputVariables: b.output_variables ?? null, at: b.timestamp ?? null } })];
    }
    case 'guardrail_triggered': {
      const b = callback.body;
      return [event({ type: 'GuardrailTriggered', data: { name: b.guardrail_name, reason: b.reason ?? null, at: b.timestamp ?? null } })];
    }
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
      if (b.transcript) events.push(event({ type: 'TranscriptReceived', data: transcriptOf(b.transcript) }));
      if (b.recording_url) {
        events.push(
          event({ type: 'RecordingReady', data: { url: b.recording_url, storageProvider: null, bucketName: null, key: null, durationSeconds: null } }),
        );
      }
      return events;
    }
  }
}
