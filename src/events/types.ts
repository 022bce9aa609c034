import { z } from 'zod';

// The public history. Each event type has a zod schema for its data; readers parse with these, so a
// stored shape we no longer understand fails loudly instead of flowing on as `any`.

export const turnSchema = z.object({
  role: z.string(),
  content: z.string(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
  secondsFromStart: z.number().nullish(),
});
export type Turn = z.infer<typeof turnSchema>;

export const scenarioSnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  rubric: z.unknown().nullable(),
});

export const conversationStartedSchema = z.object({
  id: z.string(),
  userId: z.string(),
  scenario: scenarioSnapshotSchema,
  replicaId: z.string().nullable(),
  personaId: z.string().nullable(),
  conversationName: z.string().nullable(),
  tavusConversationId: z.string(),
  conversationUrl: z.string().nullable(),
  startedAt: z.string(),
});

export const replicaJoinedSchema = z.object({
  replicaId: z.string().nullable(),
  at: z.string().nullable(),
  via: z.string(),
});

export const conversationEndedSchema = z.object({
  outcome: z.enum(['completed', 'failed']),
  reason: z.string().nullable(),
  at: z.string().nullable(),
  startedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  participantName: z.string().nullable(),
  participantLeftAt: z.string().nullable(),
});

export const transcriptReceivedSchema = z.object({
  /** The talk: user and assistant turns, their text cleaned (src/tavus/transcript.ts). */
  turns: z.array(turnSchema),
  systemPromptRemoved: z.boolean(),
  /**
   * The rows as received (less the system prompt), kept only when they differ from the talk: rows
   * that are not talk, or text that was cleaned. A better cleaner can start again from them.
   */
  received: z.array(z.unknown()).optional(),
  /** How many rows were not talk, by why (system, tool, tool call, no text, ...). */
  setAside: z.record(z.string(), z.number()).optional(),
});

export const recordingReadySchema = z.object({
  url: z.string().nullable(),
  storageProvider: z.string().nullable(),
  bucketName: z.string().nullable(),
  key: z.string().nullable(),
  durationSeconds: z.number().nullable(),
});

export const perceptionAnalysisReceivedSchema = z.object({
  analysis: z.string(),
});

export const objectiveCompletedSchema = z.object({
  name: z.string(),
  /** As Tavus sent them: values may be strings where arrays were expected. */
  outputVariables: z.unknown(),
  at: z.string().nullable(),
});

export const guardrailTriggeredSchema = z.object({
  name: z.string(),
  reason: z.unknown(),
  at: z.string().nullable(),
});

/** A callback we keep but do not act on: a type we do not know, or a failure Tavus reports. */
export const callbackIgnoredSchema = z.object({
  eventType: z.string(),
  reason: z.enum(['unknown event type', 'failure reported']),
  properties: z.unknown(),
});

/**
 * A model's answer for one transcript and analyzer version (llm@1), recorded so that scoring replays
 * it exactly. The answer stays `unknown` here: its shape belongs to the analyzer version that asked.
 */
export const analysisRecordedSchema = z.object({
  analyzer: z.string(),
  /** The idempotency key of the TranscriptReceived event answered (it hashes the transcript's content). */
  transcriptKey: z.string(),
  /** The model asked for (LLM_MODEL) and the one the provider says answered. */
  model: z.string(),
  servedModel: z.string().nullable(),
  promptSha256: z.string(),
  answer: z.unknown(),
  usage: z
    .object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative(), totalTokens: z.number().int().nonnegative() })
    .nullable(),
  latencyMs: z.number().nonnegative(),
  attempts: z.number().int().positive(),
});

/**
 * A recording copied from the bucket Tavus wrote it to into the app's storage, and checked there:
 * what was stored is, byte for byte, what was read (its length and SHA-256 match).
 */
export const recordingStoredSchema = z.object({
  /** The object Tavus wrote, as its RecordingReady names it: what this copy is of. */
  source: z.object({ bucket: z.string(), key: z.string() }),
  /** Where it is kept: the app's bucket (RECORDINGS_S3_BUCKET when it was copied) and its key there. */
  bucket: z.string(),
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Of the bytes, lower-case hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string(),
  durationSeconds: z.number().nullable(),
});

/**
 * A conversation was erased (its data key destroyed, its read models purged): when, at whose
 * request and why. Nothing personal; its events stay, their personal fields unreadable for good.
 */
export const conversationErasedSchema = z.object({
  conversationId: z.string(),
  erasedAt: z.string(),
  /** The owner (DELETE /conversations/:id), the operator (service_role or the CLI), or the retention period. */
  by: z.enum(['owner', 'operator', 'retention']),
  /** Whether a recording was deleted from the app's storage. */
  recordingsDeleted: z.number().int().nonnegative(),
});

export const eventSchemas = {
  ConversationStarted: conversationStartedSchema,
  ReplicaJoined: replicaJoinedSchema,
  ConversationEnded: conversationEndedSchema,
  TranscriptReceived: transcriptReceivedSchema,
  RecordingReady: recordingReadySchema,
  PerceptionAnalysisReceived: perceptionAnalysisReceivedSchema,
  ObjectiveCompleted: objectiveCompletedSchema,
  GuardrailTriggered: guardrailTriggeredSchema,
  CallbackIgnored: callbackIgnoredSchema,
  AnalysisRecorded: analysisRecordedSchema,
  RecordingStored: recordingStoredSchema,
  ConversationErased: conversationErasedSchema,
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** The union every reader switches on. */
export type DomainEvent = {
  [T in EventType]: { type: T; data: EventData<T> };
}[EventType];

/** Why and from what an event was recorded; never used for decisions, always kept for audit. */
export interface EventMetadata {
  /** The delivery (callbacks.id) that produced it, when it came from a callback. */
  callbackId?: string;
  /** sha256 of the callback's raw body: only in events recorded before sealing (migration 0030); its delivery now keeps a keyed digest. */
  callbackSha256?: string;
  /** Tavus's event_type, or `conversation.ended` for the original single-body form. */
  callbackType?: string;
  requestId?: string;
  /**
   * The conversation (our id) whose callback token brought it; absent when it came without a token.
   * Only facts brought by a conversation's own token, or by none, count for it.
   */
  tokenConversationId?: string;
  receivedAt: string;
  source: 'tavus-callback' | 'api' | 'reconcile' | 'llm' | 'recordings' | 'erasure';
}

/** An event ready to append: its idempotency key says which fact it records. */
export type NewEvent = DomainEvent & { streamId: string; idempotencyKey: string; metadata: EventMetadata };

/** What the store appends: an event whose data may be sealed (src/privacy/sealEvents.ts). */
export type AppendableEvent = Omit<NewEvent, 'type' | 'data'> & { type: EventType; data: unknown };

/** An event as stored. */
export type RecordedEvent = DomainEvent & {
  position: string;
  transactionId: string;
  streamId: string;
  schemaVersion: number;
  metadata: EventMetadata;
  idempotencyKey: string;
  recordedAt: Date;
};

/** Where an event is in the history and what it is, without its content. */
export interface EventHead {
  position: string;
  transactionId: string;
  streamId: string;
  type: string;
}

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}
