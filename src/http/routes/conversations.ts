import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type pg from 'pg';
import { z } from 'zod';
import { startConversation, type StartConversationDeps } from '../../commands/startConversation/handler.js';
import { conversationStream } from '../../events/streams.js';
import { hasUnreadableText } from '../../events/unreadableJson.js';
import { auditTrail } from '../../projections/readModels/audit.js';
import { findConversation, findErasedConversation, listConversations } from '../../projections/readModels/conversationQueries.js';
import { RecordingNotRemovableError, type ErasedBy, type ErasureOutcome, type ErasureTarget } from '../../privacy/erase.js';
import type { Keyring } from '../../privacy/keyring.js';
import { findFeedbackOf, findLiveFeedback } from '../../projections/readModels/feedbackQueries.js';
import type { RecordingLinks } from '../../storage/links.js';
import { ANALYZER_ID, describeFieldErrors, fieldErrorsOf } from '../../validation.js';
import { authenticate, readerOf } from '../auth.js';
import { propertiesSchema, withCaps, type ConversationCaps } from '../conversationProperties.js';
import type { TokenVerifier } from '../jwtVerifier.js';
import type { FeedbackHub } from '../live/feedbackHub.js';
import { decodeCursor, encodeCursor } from '../pageCursor.js';
import { HttpError } from '../problems.js';
import { limitPerAddress, limitPerUser, type RateLimits } from '../rateLimits.js';
import { rejectionError } from '../rejections.js';
import { acceptsQueryToken, feedbackStream } from './feedbackStream.js';
import { recordingAnswer } from './recording.js';

export interface ConversationRouteDeps extends StartConversationDeps {
  verifyToken: TokenVerifier;
  rateLimits: RateLimits;
  caps: ConversationCaps;
  logger: Logger;
  /** Live feedback streams; without it, GET .../feedback/stream is not served. */
  hub?: FeedbackHub;
  /** Links to recordings in the app's storage; without it (recordings not set up), GET .../recording answers 404. */
  recordings?: RecordingLinks;
  keyring: Keyring;
  /** Erases a conversation (src/privacy/erase.ts). */
  erase: (target: ErasureTarget, by: ErasedBy) => Promise<ErasureOutcome>;
}

/** POST /conversations's body; `properties` is the schema checked, or (for the API's description) its plain shape. */
export function createConversationBody<P extends z.ZodType = ReturnType<typeof propertiesSchema>>(caps: ConversationCaps, properties?: P) {
  return z.strictObject({
    scenarioId: z.string().min(1),
    replicaId: z.string().min(1).optional(),
    personaId: z.string().min(1).optional(),
    conversationName: z.string().max(500).optional(),
    conversationalContext: z.string().max(100_000).optional(),
    customGreeting: z.string().max(10_000).optional(),
    properties: (properties ?? propertiesSchema(caps)).optional(),
  });
}

/** GET /conversations's query: a page size, where to go on from, and (the operator's) filters. */
export const listConversationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'rows per page, 1 to 100' }),
  cursor: z.string().max(200).optional().meta({ description: "the previous page's nextCursor" }),
  user: z.uuid().optional().meta({ description: "one user's conversations (service_role only; a user may name only themself)" }),
  status: z.enum(['active', 'completed', 'failed']).optional(),
});

export function conversationRoutes(deps: ConversationRouteDeps): Router {
  const router = Router();
  const createBody = createConversationBody(deps.caps);
  const json = express.json({ limit: '256kb', type: () => true });

  // Every route here: the address's limit first (bad tokens count too), then who it is, then the user's limit.
  router.use(
    '/conversations',
    limitPerAddress(deps.rateLimits, deps.logger),
    authenticate(deps.verifyToken, acceptsQueryToken),
    limitPerUser(deps.rateLimits, deps.logger),
  );

  const asUser: RequestHandler = (req, _res, next) => {
    // A conversation belongs to a user; the operator's service key has none to give it.
    if (req.principal?.kind !== 'user') return next(new HttpError(403, 'conversations are started with a user token; the service_role key may only read them'));
    next();
  };

  router.post(
    '/conversations',
    asUser,
    (req, _res, next) => {
      if (!req.is(['application/json', 'application/*+json'])) return next(new HttpError(415, 'send the body as application/json'));
      next();
    },
    json,
    async (req, res) => {
      const parsed = createBody.safeParse(req.body);
      if (!parsed.success) {
        const errors = fieldErrorsOf(parsed.error);
        throw new HttpError(400, `the request is not valid: ${describeFieldErrors(errors)}`, errors);
      }
      if (hasUnreadableText(JSON.stringify(parsed.data))) {
        throw new HttpError(400, 'the request holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored');
      }
      const request = { ...parsed.data, properties: withCaps(parsed.data.properties, deps.caps) };
      // asUser let only users this far.
      const outcome = await startConversation(deps, readerOf(req.principal)!, request);
      if (!outcome.ok) throw rejectionError(outcome.rejection);
      res.status(201).location(`/conversations/${outcome.answer.id}`).json(outcome.answer);
    },
  );

  router.get('/conversations', async (req, res) => {
    const parsed = listConversationsQuery.safeParse(req.query);
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error);
      throw new HttpError(400, `the query is not valid: ${describeFieldErrors(errors)}`, errors);
    }
    const { limit, cursor, user, status } = parsed.data;
    const reader = readerOf(req.principal);
    if (user !== undefined && reader !== null && user !== reader) throw new HttpError(403, "only the service_role key may list another user's conversations");
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after)
      throw new HttpError(400, 'cursor is not one this service gave: pass the nextCursor of the previous page', [
        { field: 'cursor', message: 'is not a cursor of this service' },
      ]);
    const page = await listConversations(deps.pool, { userId: reader ?? user ?? null, status, limit, after });
    res.json({ conversations: page.rows, nextCursor: page.next && encodeCursor(page.next) });
  });

  // A user reads their own conversations; another user's is not found. The operator reads any.
  const readable = async (pool: pg.Pool, ref: string, reader: string | null) => {
    const conversation = await findConversation(pool, ref, reader);
    if (!conversation) throw new HttpError(404, `no conversation ${ref}`);
    return conversation;
  };

  router.get('/conversations/:id', async (req, res) => {
    res.json(await readable(deps.pool, String(req.params.id), readerOf(req.principal)));
  });

  router.get('/conversations/:id/feedback', async (req, res) => {
    const conversation = await readable(deps.pool, String(req.params.id), readerOf(req.principal));
    const analyzer = req.query.analyzer;
    if (analyzer !== undefined && (typeof analyzer !== 'string' || !ANALYZER_ID.test(analyzer))) {
      throw new HttpError(400, 'analyzer must look like name@version, e.g. baseline@1');
    }
    const feedback = analyzer ? await findFeedbackOf(deps.pool, conversation.id, analyzer) : await findLiveFeedback(deps.pool, conversation.id);
    if (!feedback)
      throw new HttpError(404, analyzer ? `no feedback from ${analyzer} for this conversation` : 'no feedback yet: it appears once the transcript has arrived');
    res.json(feedback);
  });

  if (deps.hub) router.get('/conversations/:id/feedback/stream', feedbackStream({ pool: deps.pool, hub: deps.hub }));

  router.get('/conversations/:id/recording', async (req, res) => {
    const conversation = await readable(deps.pool, String(req.params.id), readerOf(req.principal));
    // The link in it is a credential while it lives: no cache keeps it.
    res.setHeader('cache-control', 'no-store');
    res.json(await recordingAnswer(deps.pool, deps.recordings, conversation.id));
  });

  router.get('/conversations/:id/events', async (req, res) => {
    const ref = String(req.params.id);
    const reader = readerOf(req.principal);
    // Once erased, only the operator still reads its history: the tombstone, and the events' types
    // and times with their personal fields marked erased.
    const erased = reader === null && !(await findConversation(deps.pool, ref, null)) ? await findErasedConversation(deps.pool, ref) : undefined;
    if (erased) {
      const trail = await auditTrail(deps.pool, deps.keyring, erased.stream_id, erased.conversation_id);
      return res.json({ conversationId: erased.conversation_id, erasedAt: erased.erased_at, erasedBy: erased.erased_by, ...trail });
    }
    const conversation = await readable(deps.pool, ref, reader);
    const trail = await auditTrail(deps.pool, deps.keyring, conversationStream(conversation.conversation_id), conversation.id);
    res.json({ conversationId: conversation.id, ...trail });
  });

  // The right to erasure: the owner, or the operator, for any conversation. Another user's is not found.
  router.delete('/conversations/:id', async (req, res) => {
    const reader = readerOf(req.principal);
    const conversation = await readable(deps.pool, String(req.params.id), reader);
    try {
      await deps.erase({ conversationId: conversation.id, streamId: conversationStream(conversation.conversation_id) }, reader === null ? 'operator' : 'owner');
    } catch (err) {
      if (err instanceof RecordingNotRemovableError) throw new HttpError(503, `not erased: ${err.message}`, undefined, 60);
      throw err;
    }
    res.status(204).end();
  });

  return router;
}
