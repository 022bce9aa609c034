import { z } from 'zod';

// What the routes answer, as schemas: they describe the API (GET /openapi.json), and the tests parse
// real answers with them, so the description cannot drift from what is served.

const instant = z.iso.datetime({ offset: true });
const json = z.unknown();

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ description: 'A problem detail (RFC 9457); `errors` names each invalid field of a body' });

export const StartedConversation = z.object({
  id: z.uuid().meta({ description: 'our id of the conversation' }),
  conversationId: z.string().meta({ description: "Tavus's conversation id" }),
  conversationUrl: z.string().meta({ description: 'where the user joins the call' }),
  status: z.literal('active'),
});

export const Conversation = z
  .looseObject({
    id: z.uuid(),
    conversation_id: z.string(),
    user_id: z.uuid(),
    scenario_id: z.uuid().nullable(),
    started_at: instant.nullable(),
    ended_at: instant.nullable(),
    status: z.enum(['active', 'completed', 'failed']),
    tavus_metadata: z.record(z.string(), json).meta({ description: 'each callback received, by type (the transcript only counted)' }),
    recording_url: z.string().nullable(),
    objectives: z.array(z.looseObject({ name: z.string(), outputVariables: json.optional(), at: instant.nullable() })),
    guardrails: z.array(z.looseObject({ name: z.string(), reason: json.optional(), at: instant.nullable() })),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ description: 'A row of the `conversations` read model' });

export const ConversationPage = z.object({
  conversations: z.array(Conversation).meta({ description: 'newest first' }),
  nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` (with the same filters) for the next page; null on the last' }),
});

const Turn = z.looseObject({ role: z.string(), content: z.string() });

export const Feedback = z
  .looseObject({
    id: z.uuid(),
    user_id: z.uuid(),
    scenario_id: z.uuid().nullable(),
    conversation_id: z.uuid().meta({ description: '= conversations.id' }),
    score: z.int(),
    completed_at: instant.nullable(),
    duration: z.int().nullable().meta({ description: 'seconds' }),
    transcript: z.array(Turn),
    analysis: z.looseObject({
      strengths: z.array(json),
      areasForImprovement: z.array(json),
      keyInsights: z.array(json),
      communicationScore: z.number(),
      empathyScore: z.number(),
      problemSolvingScore: z.number(),
      overallScore: z.number(),
    }),
    analyzer: z.string(),
    analyzer_version: z.int(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ description: 'A row of `feedback_sessions` (or of one analyzer version)' });

export const AuditTrail = z.object({
  conversationId: z.uuid(),
  streamId: z.string(),
  events: z.array(z.object({ position: z.string(), type: z.string(), data: json, metadata: json, recordedAt: instant })),
  callbacks: z.array(
    z.object({
      id: z.string(),
      receivedAt: instant,
      eventType: z.string().nullable(),
      source: z.enum(['tavus-callback', 'reconcile']),
      bodySha256: z.string(),
      body: json.meta({ description: 'as received, less the callback token Tavus echoes' }),
      produced: z.array(z.string()).meta({ description: 'positions of the events this delivery added' }),
      duplicate: z.boolean(),
    }),
  ),
  feedback: z.array(z.object({ analyzer: z.string(), live: z.boolean(), score: z.int(), scoredAt: instant, analysis: json })),
});

export const Recording = z
  .object({
    status: z.enum(['copying', 'stored', 'failed']).meta({
      description:
        "copying: Tavus said it is ready, the copy into the app's storage is under way; stored: copied and checked; failed: Tavus reported it could not copy it",
    }),
    url: z.url().optional().meta({ description: 'stored: a presigned GET of the recording in the app’s storage, valid until expiresAt' }),
    expiresAt: instant.optional(),
    bytes: z.int().min(0).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .meta({ description: 'of the bytes kept, checked against what was read from Tavus’s bucket' }),
    contentType: z.string().optional(),
    durationSeconds: z.number().optional().meta({ description: 'as Tavus reported it' }),
    error: z.string().optional().meta({ description: 'failed: Tavus’s error_message' }),
  })
  .meta({ description: "A conversation's recording" });

export const CallbackReceived = z.object({
  received: z.literal(true),
  duplicate: z.boolean().meta({ description: 'true when the history already held every fact it carries' }),
  eventsAppended: z.int().min(0),
});

export const Health = z.object({ status: z.literal('ok') });

export const Ready = z.object({
  status: z.literal('ready'),
  deadLetters: z.int().min(0).meta({ description: 'conversations parked by a projection' }),
});

export const NotReady = z.looseObject({ status: z.string(), pending: z.array(z.string()).optional(), detail: z.string().optional() });

export const ProjectionLag = z.object({
  projections: z.array(
    z.object({
      name: z.string().meta({ description: 'a live projection: conversations, feedback:<live analyzer>' }),
      events: z.int().min(0).meta({ description: 'events in the history it has not applied yet (counted up to 1,000,000)' }),
      seconds: z.number().min(0).meta({ description: 'how long the oldest of those has waited' }),
    }),
  ),
  relay: z
    .discriminatedUnion('enabled', [
      z.object({
        enabled: z.literal(true),
        events: z.int().min(0).meta({ description: 'committed events not yet published to KurrentDB' }),
        seconds: z.number().min(0).meta({ description: 'how long the oldest of those has been in the history; 0 when caught up' }),
      }),
      z.object({ enabled: z.literal(false) }),
    ])
    .meta({ description: 'the outbox relay to KurrentDB; `enabled: false` when this instance has no KURRENTDB_URL' }),
});

export const DeadLetters = z.object({
  deadLetters: z.array(
    z.object({
      projection: z.string(),
      streamId: z.string(),
      error: z.string(),
      failedPosition: z.string(),
      attempts: z.int(),
      parkedAt: instant,
      lastFailedAt: instant,
      retryRequested: z.boolean(),
    }),
  ),
});

export const RetryRequested = z.object({
  requested: z.int().min(0).meta({ description: 'dead letters the projections will apply again at their next batch' }),
});

export const Builds = z.object({
  builds: z
    .array(
      z.object({
        analyzer: z.string().meta({ description: 'name@version' }),
        state: z
          .enum(['live', 'building', 'ready'])
          .meta({ description: 'live: feedback_sessions serves it; building: a rebuild is under way or stopped; ready: built, not live' }),
        rows: z.int().min(0).meta({ description: 'conversations it has scored' }),
        startedAt: instant,
        builtAt: instant.nullable(),
      }),
    )
    .meta({ description: 'newest build first' }),
});

const mean = (what: string) => z.number().meta({ description: what });

export const BuildComparison = z.object({
  a: z.string(),
  b: z.string(),
  common: z.int().min(0).meta({ description: 'conversations scored by both' }),
  onlyA: z.int().min(0),
  onlyB: z.int().min(0),
  shifts: z
    .array(
      z.object({
        field: z.string().meta({ description: 'score (the headline), or a skill of the analysis' }),
        changed: z.int().min(0).meta({ description: 'conversations scored by both whose value differs' }),
        meanA: mean('over the conversations scored by both'),
        meanB: mean('over the conversations scored by both'),
        meanShift: mean('mean of B − A'),
        medianShift: mean('median of B − A'),
      }),
    )
    .meta({ description: 'each score over the conversations scored by both (0 when there are none)' }),
  movers: z
    .array(z.object({ conversationId: z.uuid(), scoreA: z.int(), scoreB: z.int(), shift: z.int() }))
    .meta({ description: 'the conversations whose headline score moved most (at most 15)' }),
  histogram: z
    .array(z.object({ from: z.int(), to: z.int(), a: z.int().min(0), b: z.int().min(0) }))
    .meta({ description: 'ten bins of the headline score (0–9, …, 90–100): conversations in each, for A and for B, each over all it scored' }),
});
