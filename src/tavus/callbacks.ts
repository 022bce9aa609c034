import { z } from 'zod';
import { fieldErrorsOf, type FieldError } from '../validation.js';
import { durationSeconds, instant } from './instants.js';

// Every callback shape Tavus really sends (see shared/tavus/README.md), plus the original design's
// single-body form that existing callers still post. Parsing checks types; what a callback means
// for the history is decided in src/commands/recordCallback/facts.ts.

/** Tavus ids are short tokens; anything else is not a conversation of theirs (and goes into a stream name). */
export const tavusConversationId = z
  .string({ error: 'is required and must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 letters, digits or _ . : -');

/**
 * Transcript rows as sent, every one accepted: talk, system rows, tool rows, rows with null content.
 * What counts as talk is decided in transcript.ts; a row's oddity never refuses the whole callback.
 */
export const transcript = z.array(z.unknown()).max(20_000, 'has more than 20,000 rows');

const envelope = {
  conversation_id: tavusConversationId,
  message_type: z.unknown().optional(),
  timestamp: instant.nullish(),
  webhook_url: z.unknown().optional(),
};

const replicaJoined = z.looseObject({
  ...envelope,
  event_type: z.enum(['system.replica_joined', 'system.pal_joined']),
  properties: z.looseObject({ replica_id: z.string().nullish() }).default({}),
});

const shutdown = z.looseObject({
  ...envelope,
  event_type: z.literal('system.shutdown'),
  properties: z.looseObject({ replica_id: z.string().nullish(), shutdown_reason: z.string().nullish() }).default({}),
});

const transcriptionReady = z.looseObject({
  ...envelope,
  event_type: z.literal('application.transcription_ready'),
  properties: z.looseObject({ replica_id: z.string().nullish(), transcript }),
});

const recordingReady = z.looseObject({
  ...envelope,
  event_type: z.literal('application.recording_ready'),
  properties: z.looseObject({
    // older shape
    bucket_name: z.string().nullish(),
    s3_key: z.string().nullish(),
    duration: durationSeconds.nullish(),
    // newer shape
    storage_provider: z.string().nullish(),
    storage_uri: z.string().nullish(),
  }),
});

const perceptionAnalysis = z.looseObject({
  ...envelope,
  event_type: z.literal('application.perception_analysis'),
  properties: z.looseObject({ analysis: z.string() }),
});

const reportedFailure = z.looseObject({
  ...envelope,
  event_type: z.enum(['application.recording_copy_failed', 'application.perception_unavailable']),
  properties: z.looseObject({ error_message: z.string().nullish(), reason: z.string().nullish() }).default({}),
});

/** An objective the replica reached, with the variables it extracted (their shapes vary: kept as sent). */
const objectiveProperties = z.looseObject({ objective_name: z.string().min(1).max(500), output_variables: z.unknown().optional() });
const objectiveCompleted = z.looseObject({ ...envelope, event_type: z.string(), properties: objectiveProperties });
/** Older objective callbacks: flat, without event_type. */
const flatObjective = z.looseObject({ ...envelope, ...objectiveProperties.shape });

const guardrailProperties = z.looseObject({ guardrail_name: z.string().min(1).max(500), reason: z.unknown().optional() });
const guardrailTriggered = z.looseObject({ ...envelope, event_type: z.string(), properties: guardrailProperties });
const flatGuardrail = z.looseObject({ ...envelope, ...guardrailProperties.shape });

const OBJECTIVE_TYPE = /objective/i;
const GUARDRAIL_TYPE = /guardrail/i;

/** A type Tavus may add tomorrow: kept in the history, answered 200. */
const unknownType = z.looseObject({
  ...envelope,
  event_type: z.string(),
  properties: z.unknown().optional(),
});

/** The original design's one-callback-says-everything form. */
const singleBody = z.looseObject({
  conversation_id: tavusConversationId,
  status: z.string().nullish(),
  end_reason: z.string().nullish(),
  started_at: instant.nullish(),
  ended_at: instant.nullish(),
  duration: durationSeconds.nullish(),
  transcript: transcript.nullish(),
  participant_name: z.string().nullish(),
  recording_url: z.string().nullish(),
  participant_left_at: instant.nullish(),
});

export type TavusCallback =
  | { kind: 'replica_joined'; body: z.infer<typeof replicaJoined> }
  | { kind: 'shutdown'; body: z.infer<typeof shutdown> }
  | { kind: 'transcription_ready'; body: z.infer<typeof transcriptionReady> }
  | { kind: 'recording_ready'; body: z.infer<typeof recordingReady> }
  | { kind: 'perception_analysis'; body: z.infer<typeof perceptionAnalysis> }
  | { kind: 'reported_failure'; body: z.infer<typeof reportedFailure> }
  | { kind: 'objective_completed'; body: z.infer<typeof flatObjective> & { event_type?: string } }
  | { kind: 'guardrail_triggered'; body: z.infer<typeof flatGuardrail> & { event_type?: string } }
  | { kind: 'unknown'; body: z.infer<typeof unknownType> }
  | { kind: 'single_body'; body: z.infer<typeof singleBody> };

export type ParseResult = { ok: true; callback: TavusCallback } | { ok: false; errors: FieldError[] };

/** The event types Tavus documents or was seen sending, each with its shape. */
const byType: Record<string, { kind: TavusCallback['kind']; schema: z.ZodType }> = {
  'system.replica_joined': { kind: 'replica_joined', schema: replicaJoined },
  'system.pal_joined': { kind: 'replica_joined', schema: replicaJoined },
  'system.shutdown': { kind: 'shutdown', schema: shutdown },
  'application.transcription_ready': { kind: 'transcription_ready', schema: transcriptionReady },
  'application.recording_ready': { kind: 'recording_ready', schema: recordingReady },
  'application.perception_analysis': { kind: 'perception_analysis', schema: perceptionAnalysis },
  'application.recording_copy_failed': { kind: 'reported_failure', schema: reportedFailure },
  'application.perception_unavailable': { kind: 'reported_failure', schema: reportedFailure },
};

/** Checks a parsed JSON body against the shape its `event_type` announces. */
export function parseCallback(body: unknown): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  }
  const eventType = (body as Record<string, unknown>).event_type;
  let kind: TavusCallback['kind'];
  let schema: z.ZodType;
  const record = body as Record<string, unknown>;
  if (eventType === undefined || eventType === null) {
    // Flat objective and guardrail callbacks have no event_type either; they say what they are by name.
    if ('objective_name' in record) return parsedAs('objective_completed', flatObjective, body);
    if ('guardrail_name' in record) return parsedAs('guardrail_triggered', flatGuardrail, body);
    kind = 'single_body';
    schema = singleBody;
  } else if (typeof eventType !== 'string' || eventType.trim() === '') {
    return { ok: false, errors: [{ field: 'event_type', message: 'must be a non-empty string' }] };
  } else if (Object.hasOwn(byType, eventType)) {
    ({ kind, schema } = byType[eventType]!);
  } else if (OBJECTIVE_TYPE.test(eventType) && isRecord(record.properties) && 'objective_name' in record.properties) {
    return parsedAs('objective_completed', objectiveCompleted, body, (b) => ({ ...b, ...b.properties }));
  } else if (GUARDRAIL_TYPE.test(eventType) && isRecord(record.properties) && 'guardrail_name' in record.properties) {
    return parsedAs('guardrail_triggered', guardrailTriggered, body, (b) => ({ ...b, ...b.properties }));
  } else {
    kind = 'unknown';
    schema = unknownType;
  }
  return parsedAs(kind, schema, body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `body` as `kind`; `shape` lifts nested properties to where the flat form has them. */
function parsedAs<T>(kind: TavusCallback['kind'], schema: z.ZodType<T>, body: unknown, shape: (b: T) => unknown = (b) => b): ParseResult {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  return { ok: true, callback: { kind, body: shape(parsed.data) } as TavusCallback };
}

/** Tavus's event_type, or a name for the single-body form. */
export function callbackType(callback: TavusCallback): string {
  if (callback.kind === 'single_body') return 'conversation.ended';
  if (callback.kind === 'objective_completed') return callback.body.event_type ?? 'conversation.objective.completed';
  if (callback.kind === 'guardrail_triggered') return callback.body.event_type ?? 'conversation.guardrail.triggered';
  return callback.body.event_type;
}

/**
 * Each shape as its own schema, for the API's description (GET /openapi.json): the same schemas
 * parseCallback checks, so the document cannot drift from what is accepted.
 */
export const callbackShapes = {
  ReplicaJoinedCallback: replicaJoined,
  ShutdownCallback: shutdown,
  TranscriptionReadyCallback: transcriptionReady,
  RecordingReadyCallback: recordingReady,
  PerceptionAnalysisCallback: perceptionAnalysis,
  ReportedFailureCallback: reportedFailure,
  ObjectiveCompletedCallback: objectiveCompleted,
  FlatObjectiveCallback: flatObjective,
  GuardrailTriggeredCallback: guardrailTriggered,
  FlatGuardrailCallback: flatGuardrail,
  UnknownTypeCallback: unknownType,
  SingleBodyCallback: singleBody,
} as const;
