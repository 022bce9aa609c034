import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { callbackShapes } from '../../tavus/callbacks.js';
import { propertiesShape, type ConversationCaps } from '../conversationProperties.js';
import { createConversationBody, listConversationsQuery } from '../routes/conversations.js';
import { compareQuery, retryBody } from '../routes/admin.js';
import { ANALYZER_ID } from '../../validation.js';
import {
  AuditTrail,
  BuildComparison,
  Builds,
  CallbackReceived,
  Conversation,
  ConversationPage,
  DeadLetters,
  ProjectionLag,
  Recording,
  RetryRequested,
  Feedback,
  Health,
  NotReady,
  Problem,
  Ready,
  StartedConversation,
} from './answers.js';

// The API described for machines (GET /openapi.json, rendered at /docs), generated from the zod
// schemas the routes check requests with and the answer schemas the tests check answers with.

export interface DocumentOptions {
  caps: ConversationCaps;
  publicUrl: string;
  version: string;
}

const TITLES: Record<string, string> = {
  '400': 'invalid request',
  '401': 'no valid credential',
  '403': 'not allowed for this credential',
  '404': 'not found',
  '413': 'body too large',
  '415': 'not JSON',
  '422': 'unknown scenario',
  '429': 'rate limited (Retry-After), or too many live streams for this user',
  '502': 'Tavus failed or did not answer',
  '503': 'database or signing keys unavailable, or this instance holds all the live streams it may: nothing was recorded, retry (Retry-After)',
};

function problems(...statuses: (keyof typeof TITLES)[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(statuses.map((s) => [s, { description: TITLES[s]!, content: { 'application/problem+json': { schema: Problem } } }]));
}

const jsonAnswer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const conversationRef = z.object({ id: z.string().meta({ description: "our id (a UUID) or Tavus's conversation id" }) });
const userRead = ['401', '404', '429', '503'] as const;

// Named once per process: an id in zod's registry can be given only once. Callbacks are request
// bodies, so they are described as input (what may be sent), never as what parsing makes of them.
const callbackBody = z.union(Object.entries(callbackShapes).map(([id, schema]) => schema.meta({ id }))).meta({ id: 'TavusCallback' });

export function openApiDocument(options: DocumentOptions) {
  const receiveCallback = (withToken: boolean): ZodOpenApiOperationObject => ({
    tags: ['callbacks'],
    summary: withToken ? 'A Tavus callback, on the callback URL this service gave Tavus' : 'A Tavus callback without a token (WEBHOOK_AUTH=none only)',
    description: 'Answered 200 only once its events are committed; any order and any repetition end in the same tables.',
    ...(withToken
      ? { requestParams: { path: z.object({ token: z.string().meta({ description: "the callback URL's token: it opens one conversation" }) }) } }
      : {}),
    requestBody: { required: true, content: { 'application/json': { schema: callbackBody } } },
    responses: { '200': jsonAnswer('recorded (or already held)', CallbackReceived), ...problems('400', '401', '404', '413', '415', '503') },
  });

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'tavus-feedback',
      version: options.version,
      description: 'Receives Tavus conversation callbacks into an append-only history and serves conversations and scored feedback built from it.',
    },
    servers: [{ url: options.publicUrl }],
    tags: [
      { name: 'conversations', description: "Users' conversations and their feedback" },
      { name: 'callbacks', description: 'What Tavus sends' },
      { name: 'operations', description: 'Probes, metrics and this description' },
    ],
    security: [],
    components: {
      securitySchemes: {
        userJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A user's access token (sub = user id), or the operator's service_role token",
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the service sets one' },
      },
      schemas: {
        Problem,
        StartedConversation,
        Conversation,
        ConversationPage,
        Feedback,
        AuditTrail,
        Recording,
        CallbackReceived,
      },
    },
    paths: {
      '/conversations': {
        get: {
          tags: ['conversations'],
          summary: "The caller's conversations, newest first, a page at a time (service_role: everyone's, filtered by user and status)",
          security: [{ userJwt: [] }],
          requestParams: { query: listConversationsQuery },
          responses: { '200': jsonAnswer('a page', ConversationPage), ...problems('400', '401', '403', '429', '503') },
        },
        post: {
          tags: ['conversations'],
          summary: 'Start a conversation: Tavus is asked for it, with a callback URL bound to it',
          security: [{ userJwt: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: createConversationBody(options.caps, z.strictObject(propertiesShape(options.caps))) } },
          },
          responses: { '201': jsonAnswer('started', StartedConversation), ...problems('400', '401', '403', '415', '422', '429', '502', '503') },
        },
      },
      '/conversations/{id}': {
        get: {
          tags: ['conversations'],
          summary: "A conversation (the owner's, or any for service_role)",
          security: [{ userJwt: [] }],
          requestParams: { path: conversationRef },
          responses: { '200': jsonAnswer('the conversations row', Conversation), ...problems(...userRead) },
        },
        delete: {
          tags: ['conversations'],
          summary: 'Erase a conversation (the owner, or any for service_role)',
          description:
            "Its data key is destroyed (every personal field of its history, and of the KurrentDB copies, becomes unreadable), its read models are purged, its recording is deleted from the app's storage, and a ConversationErased tombstone is kept. " +
            "Afterwards it answers 404 everywhere; service_role still reads GET .../events (the tombstone, and the events' types and times). 503 when its recording could not be deleted: nothing was erased, try again.",
          security: [{ userJwt: [] }],
          requestParams: { path: conversationRef },
          responses: { '204': { description: 'erased' }, ...problems(...userRead) },
        },
      },
      '/conversations/{id}/feedback': {
        get: {
          tags: ['conversations'],
          summary: "A conversation's feedback (404 until its transcript has arrived)",
          security: [{ userJwt: [] }],
          requestParams: {
            path: conversationRef,
            query: z.object({
              analyzer: z.string().regex(ANALYZER_ID).optional().meta({ description: "one analyzer version's feedback, e.g. coach@1" }),
            }),
          },
          responses: { '200': jsonAnswer('the feedback row', Feedback), ...problems('400', ...userRead) },
        },
      },
      '/conversations/{id}/feedback/stream': {
        get: {
          tags: ['conversations'],
          summary: "A conversation's live feedback, as server-sent events",
          description:
            '`event: feedback` with the live feedback row (as GET .../feedback answers it) whenever it changes: once projected, on any instance, and again when a build switch changes it. ' +
            "The event id is the row's version: reconnecting with Last-Event-ID sends the row only if it changed. A `: heartbeat` comment comes every FEEDBACK_STREAM_HEARTBEAT.",
          security: [{ userJwt: [] }],
          requestParams: {
            path: conversationRef,
            query: z.object({
              access_token: z.string().optional().meta({ description: 'the JWT, for clients that cannot send headers (EventSource); on this route only' }),
            }),
            header: z.object({ 'last-event-id': z.string().optional().meta({ description: 'the id of the last event received' }) }),
          },
          responses: {
            '200': { description: 'the stream', content: { 'text/event-stream': { schema: z.string() } } },
            ...problems(...userRead),
          },
        },
      },
      '/conversations/{id}/recording': {
        get: {
          tags: ['conversations'],
          summary: "A conversation's recording: its status, and once kept in the app's storage, a short-lived link to it",
          description:
            "`url` is a presigned GET of the object in the app's storage (RECORDINGS_S3_*), valid until `expiresAt` (15 minutes): ask again for a fresh one. " +
            '404 when the conversation is not the caller’s, when no recording of it is known, or when this service keeps no recordings.',
          security: [{ userJwt: [] }],
          requestParams: { path: conversationRef },
          responses: { '200': jsonAnswer('the recording', Recording), ...problems(...userRead) },
        },
      },
      '/conversations/{id}/events': {
        get: {
          tags: ['conversations'],
          summary: "A conversation's audit trail: its events, every delivery as received, each build's feedback",
          security: [{ userJwt: [] }],
          requestParams: { path: conversationRef },
          responses: { '200': jsonAnswer('the audit trail', AuditTrail), ...problems(...userRead) },
        },
      },
      '/webhooks/tavus/{token}': { post: receiveCallback(true) },
      '/webhooks/tavus': { post: receiveCallback(false) },
      '/functions/v1/tavus-webhook': { post: { ...receiveCallback(false), summary: "The original design's callback URL (WEBHOOK_AUTH=none only)" } },
      '/admin/lag': {
        get: {
          tags: ['operations'],
          summary: 'How far each live projection, and the relay to KurrentDB, trail the history (service_role)',
          security: [{ userJwt: [] }],
          responses: { '200': jsonAnswer('lag by projection', ProjectionLag), ...problems('401', '403', '503') },
        },
      },
      '/admin/deadletters': {
        get: {
          tags: ['operations'],
          summary: 'Conversations a projection parked, with their errors (service_role)',
          security: [{ userJwt: [] }],
          responses: { '200': jsonAnswer('the dead letters', DeadLetters), ...problems('401', '403', '503') },
        },
      },
      '/admin/builds': {
        get: {
          tags: ['operations'],
          summary: 'The feedback builds, newest first: which is live, which are building or ready (service_role)',
          security: [{ userJwt: [] }],
          responses: { '200': jsonAnswer('the builds', Builds), ...problems('401', '403', '503') },
        },
      },
      '/admin/compare': {
        get: {
          tags: ['operations'],
          summary: 'How scores moved between two builds, as `tavus-feedback compare` reports it (service_role)',
          description:
            'Counts scored by both or one, each score’s means and shift, the conversations that moved most, and a ten-bin histogram of the headline score in each. ' +
            '400 names a malformed or unknown analyzer (`a` or `b`); 404 when a known analyzer has no build yet.',
          security: [{ userJwt: [] }],
          requestParams: { query: compareQuery },
          responses: { '200': jsonAnswer('the comparison', BuildComparison), ...problems('400', '401', '403', '404', '503') },
        },
      },
      '/admin/deadletters/retry': {
        post: {
          tags: ['operations'],
          summary: 'Have the running projections apply one dead letter, or all, again (service_role)',
          security: [{ userJwt: [] }],
          requestBody: { content: { 'application/json': { schema: retryBody } } },
          responses: { '202': jsonAnswer('asked', RetryRequested), ...problems('400', '401', '403', '404', '503') },
        },
      },
      '/healthz': { get: { tags: ['operations'], summary: 'The process is up', responses: { '200': jsonAnswer('up', Health) } } },
      '/readyz': {
        get: {
          tags: ['operations'],
          summary: 'The database answers and every migration is applied',
          responses: { '200': jsonAnswer('ready', Ready), '503': jsonAnswer('not ready', NotReady) },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          security: [{ metricsToken: [] }, {}],
          responses: { '200': { description: 'text format 0.0.4', content: { 'text/plain': { schema: z.string() } } }, ...problems('401') },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['operations'],
          summary: 'This description (OpenAPI 3.1)',
          responses: { '200': { description: 'the document', content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } } } },
        },
      },
      '/console/': {
        get: {
          tags: ['operations'],
          summary: 'The console: conversations, feedback, timeline, the operator panel',
          responses: { '200': { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
        },
      },
      '/docs/': {
        get: {
          tags: ['operations'],
          summary: 'This description, rendered (Swagger UI, served by the service)',
          responses: { '200': { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } } },
        },
      },
    },
  });
}
