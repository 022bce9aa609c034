import { outcomeOfReason } from '../../events/conversationFacts.js';
import { idempotencyKey } from '../../events/streams.js';
import type { EventData, EventMetadata, NewEvent } from '../../events/types.js';
import stableStringify from 'safe-stable-stringify';
import { callbackType } from '../../tavus/callbacks.js';
import { cleanTranscript } from '../../tavus/transcript.js';
import { streamOf, type RecordCallback } from './command.js';

// The facts a callback reports, as events. Repetitions need no special case: a repeated fact gets
// the same idempotency key (it hashes the fact, never the delivery or the channel), and the store's
// unique constraint appends it once. A callback POSTed by Tavus and the same event replayed by its
// verbose GET (reconciliation) must give the same keys, so an identity never includes the envelope
// (`timestamp`, `webhook_url`, `message_type`: how and when it was sent, which differs by channel),
// and Tavus's own objects are hashed with their keys sorted (the GET may order them differently).

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
    callbackType: callbackType(command.callback),
    receivedAt: delivery.receivedAt.toISOString(),
    source: command.source ?? 'tavus-callback',
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

  // A transcript is identified by its talk: the rows as received are how it was sent (the GET may
  // order their keys differently), so they stay out of its identity. A clean one's data is its talk.
  const transcriptEvent = (data: EventData<'TranscriptReceived'>) =>
    event({ type: 'TranscriptReceived', data }, data.received ? { turns: data.turns, systemPromptRemoved: data.systemPromptRemoved } : data);

  switch (callback.kind) {
    case 'replica_joined': {
      const replicaId = callback.body.properties.replica_id ?? null;
      return [event({ type: 'ReplicaJoined', data: { replicaId, at: callback.body.timestamp ?? null, via: callback.body.event_type } }, [replicaId])];
    }
    case 'shutdown': {
      const reason = callback.body.properties.shutdown_reason ?? null;
      // A conversation shuts down once: the fact is that it ended and why; when is the envelope's.
      return [
        event(
          {
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
          },
          [reason],
        ),
      ];
    }
    case 'transcription_ready':
      return [transcriptEvent(transcriptOf(callback.body.properties.transcript))];
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
      const data = { name: b.objective_name, outputVariables: b.output_variables ?? null, at: b.timestamp ?? null };
      // When it was sent is the envelope's, not the fact's: the GET replays it with another timestamp.
      return [event({ type: 'ObjectiveCompleted', data }, stableStringify({ name: data.name, outputVariables: data.outputVariables }))];
    }
    case 'guardrail_triggered': {
      const b = callback.body;
      const data = { name: b.guardrail_name, reason: b.reason ?? null, at: b.timestamp ?? null };
      return [event({ type: 'GuardrailTriggered', data }, stableStringify({ name: data.name, reason: data.reason }))];
    }
    case 'reported_failure':
    case 'unknown': {
      const data = {
        eventType: callback.body.event_type,
        reason: callback.kind === 'unknown' ? ('unknown event type' as const) : ('failure reported' as const),
        properties: callback.body.properties ?? null,
      };
      return [event({ type: 'CallbackIgnored', data }, stableStringify(data))];
    }
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
      if (b.transcript) events.push(transcriptEvent(transcriptOf(b.transcript)));
      if (b.recording_url) {
        events.push(
          event({ type: 'RecordingReady', data: { url: b.recording_url, storageProvider: null, bucketName: null, key: null, durationSeconds: null } }),
        );
      }
      return events;
    }
  }
}
