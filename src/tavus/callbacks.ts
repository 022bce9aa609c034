import { z } from 'zod';
import { fieldErrorsOf, type FieldError } from '../validation.js';

// Every callback shape Tavus really sends (see shared/tavus/README.md), plus the original design's
// single-body form that existing callers still post. Parsing checks types; what a callback means
// for the history is decided in src/commands/recordCallback.ts.

/** Tavus ids are short tokens; anything else is not a conversation of theirs (and goes into a stream name). */
export const tavusConversationId = z
  .string({ error: 'is required and must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 letters, digits or _ . : -');

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 timestamp');

/** Transcript entries as sent: timestamps are ISO strings or epoch seconds in the wild, or absent. */
const transcriptEntry = z.looseObject({
  role: z.string(),
  content: z.string(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
  seconds_from_start: z.number().nullish(),
});

export const transcript = z.array(transcriptEntry);
export type TranscriptEntry = z.infer<typeof transcriptEntry>;

const envelope = {
  conversation_id: tavusConversationId,
  message_type: z.string().nullish(),
  timestamp: isoTimestamp.nullish(),
  webhook_url: z.string().nullish(),
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
    duration: z.number().nonnegative().nullish(),
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

const KNOWN_TYPES = [
  'system.replica_joined',
  'system.pal_joined',
  'system.shutdown',
  'application.transcription_ready',
  'application.recording_ready',
  'application.perception_analysis',
  'application.recording_copy_failed',
  'application.perception_unavailable',
] as const;

/** A type Tavus may add tomorrow: kept in the history, answered 200. */
const unknownType = z.looseObject({
  ...envelope,
  event_type: z.string().refine((t) => !(KNOWN_TYPES as readonly string[]).includes(t)),
  properties: z.unknown().optional(),
});

/** The original design's one-callback-says-everything form. */
const singleBody = z.looseObject({
  conversation_id: tavusConversationId,
  status: z.string().nullish(),
  end_reason: z.string().nullish(),
  started_at: isoTimestamp.nullish(),
  ended_at: isoTimestamp.nullish(),
  duration: z.number().nonnegative().nullish(),
  transcript: transcript.nullish(),
  participant_name: z.string().nullish(),
  recording_url: z.string().nullish(),
  participant_left_at: isoTimestamp.nullish(),
});

export type TavusCallback =
  | { kind: 'replica_joined'; body: z.infer<typeof replicaJoined> }
  | { kind: 'shutdown'; body: z.infer<typeof shutdown> }
  | { kind: 'transcription_ready'; body: z.infer<typeof transcriptionReady> }
  | { kind: 'recording_ready'; body: z.infer<typeof recordingReady> }
  | { kind: 'perception_analysis'; body: z.infer<typeof perceptionAnalysis> }
  | { kind: 'reported_failure'; body: z.infer<typeof reportedFailure> }
  | { kind: 'unknown'; body: z.infer<typeof unknownType> }
  | { kind: 'single_body'; body: z.infer<typeof singleBody> };

export type ParseResult = { ok: true; callback: TavusCallback } | { ok: false; errors: FieldError[] };

const byType: Record<(typeof KNOWN_TYPES)[number], { kind: TavusCallback['kind']; schema: z.ZodType }> = {
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
  if (eventType === undefined || eventType === null) {
    kind = 'single_body';
    schema = singleBody;
  } else if (typeof eventType !== 'string' || eventType.trim() === '') {
    return { ok: false, errors: [{ field: 'event_type', message: 'must be a non-empty string' }] };
  } else if (Object.hasOwn(byType, eventType)) {
    ({ kind, schema } = byType[eventType as keyof typeof byType]);
  } else {
    kind = 'unknown';
    schema = unknownType;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  return { ok: true, callback: { kind, body: parsed.data } as TavusCallback };
}

/** Tavus's event_type, or a name for the single-body form. */
export function callbackType(callback: TavusCallback): string {
  return callback.kind === 'single_body' ? 'conversation.ended' : callback.body.event_type;
}
