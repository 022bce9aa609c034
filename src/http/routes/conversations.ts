import express, { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { startConversation, type StartConversationDeps } from '../../commands/startConversation/handler.js';
import { conversationStream } from '../../events/streams.js';
import { hasUnreadableText } from '../../events/unreadableJson.js';
import { auditTrail } from '../../projections/readModels/audit.js';
import { findConversation } from '../../projections/readModels/conversationQueries.js';
import { findFeedbackOf, findLiveFeedback } from '../../projections/readModels/feedbackQueries.js';
import { describeFieldErrors, fieldErrorsOf } from '../../validation.js';
import { requireUser } from '../auth.js';
import { HttpError } from '../problems.js';
import { rejectionError } from '../rejections.js';

const createBody = z.strictObject({
  scenarioId: z.string().min(1),
  replicaId: z.string().min(1).optional(),
  personaId: z.string().min(1).optional(),
  conversationName: z.string().max(500).optional(),
  conversationalContext: z.string().max(100_000).optional(),
  customGreeting: z.string().max(10_000).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});

const ANALYZER_ID = /^[a-z0-9][a-z0-9_-]*@\d+$/;

export function conversationRoutes(deps: StartConversationDeps & { jwtSecret: string }): Router {
  const router = Router();
  const auth = requireUser(deps.jwtSecret);
  const json = express.json({ limit: '256kb', type: () => true });

  router.post('/conversations', auth, (req, _res, next) => {
    if (!req.is(['application/json', 'application/*+json'])) return next(new HttpError(415, 'send the body as application/json'));
    next();
  }, json, async (req, res) => {
    const parsed = createBody.safeParse(req.body);
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error);
      throw new HttpError(400, `the request is not valid: ${describeFieldErrors(errors)}`, errors);
    }
    if (hasUnreadableText(JSON.stringify(parsed.data))) {
      throw new HttpError(400, 'the request holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored');
    }
    const outcome = await startConversation(deps, req.userId!, parsed.data);
    if (!outcome.ok) throw rejectionError(outcome.rejection);
    res.status(201).location(`/conversations/${outcome.answer.id}`).json(outcome.answer);
  });

  const owned = async (pool: pg.Pool, ref: string, userId: string) => {
    const conversation = await findConversation(pool, ref, userId);
    if (!conversation) throw new HttpError(404, `no conversation ${ref}`);
    return conversation;
  };

  router.get('/conversations/:id', auth, async (req, res) => {
    res.json(await owned(deps.pool, String(req.params.id), req.userId!));
  });

  router.get('/conversations/:id/feedback', auth, async (req, res) => {
    const conversation = await owned(deps.pool, String(req.params.id), req.userId!);
    const analyzer = req.query.analyzer;
    if (analyzer !== undefined && (typeof analyzer !== 'string' || !ANALYZER_ID.test(analyzer))) {
      throw new HttpError(400, 'analyzer must look like name@version, e.g. baseline@1');
    }
    const feedback = analyzer ? await findFeedbackOf(deps.pool, conversation.id, analyzer) : await findLiveFeedback(deps.pool, conversation.id);
    if (!feedback) throw new HttpError(404, analyzer ? `no feedback from ${analyzer} for this conversation` : 'no feedback yet: it appears once the transcript has arrived');
    res.json(feedback);
  });

  router.get('/conversations/:id/events', auth, async (req, res) => {
    const conversation = await owned(deps.pool, String(req.params.id), req.userId!);
    const trail = await auditTrail(deps.pool, conversationStream(conversation.conversation_id), conversation.id);
    res.json({ conversationId: conversation.id, ...trail });
  });

  return router;
}
