import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type { CallbackTokens } from '../../commands/callbackToken.js';
import type { CallbackPolicy } from '../../commands/recordCallback/command.js';
import { newDeliveryId, type CallbackHandler } from '../../commands/recordCallback/handler.js';
import { parseCallback } from '../../tavus/callbacks.js';
import { describeFieldErrors } from '../../validation.js';
import { HttpError } from '../problems.js';
import { rejectionError } from '../rejections.js';

export const MAX_CALLBACK_BYTES = 2 * 1024 * 1024;

export interface WebhookDeps {
  callbacks: CallbackHandler;
  tokens: CallbackTokens;
  policy: CallbackPolicy;
  now: () => Date;
}

// The raw bytes are kept: the audit trail stores the body as Tavus sent it.
const rawJson = express.raw({ type: () => true, limit: MAX_CALLBACK_BYTES });

function readJson(req: Request): { text: string; body: unknown } {
  if (!req.is(['application/json', 'application/*+json'])) {
    throw new HttpError(415, 'callbacks must be sent as application/json');
  }
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  // Postgres cannot store NUL in text or jsonb; refuse it clearly rather than fail later.
  if (text.includes('\u0000') || text.includes('\\u0000')) throw new HttpError(400, 'the body contains NUL characters, which cannot be stored');
  try {
    return { text, body: JSON.parse(text) };
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

export function webhookRoutes(deps: WebhookDeps): Router {
  const router = Router();

  // route → handler → decide → append: parse and authenticate here, the command does the rest.
  const receive = async (req: Request<{ token?: string }>, res: express.Response) => {
    let token = null;
    if (req.params.token !== undefined) {
      token = deps.tokens.verify(req.params.token) ?? null;
      if (token === null) throw rejectionError({ reason: 'token_invalid' });
    }
    const { text, body } = readJson(req);
    const parsed = parseCallback(body);
    if (!parsed.ok) throw new HttpError(400, `the callback is not valid: ${describeFieldErrors(parsed.errors)}`, parsed.errors);

    const outcome = await deps.callbacks.handle({
      callback: parsed.callback,
      token,
      policy: deps.policy,
      delivery: {
        id: newDeliveryId(),
        receivedAt: deps.now(),
        bodySha256: createHash('sha256').update(text).digest('hex'),
        storedBody: text,
        requestId: typeof req.id === 'string' ? req.id : null,
      },
    });
    if (outcome.outcome === 'rejected') throw rejectionError(outcome.rejection);
    res.status(200).json({ received: true, duplicate: outcome.appended === 0, eventsAppended: outcome.appended });
  };

  router.post('/webhooks/tavus/:token', rawJson, receive);
  router.post('/webhooks/tavus', rawJson, receive);
  // The original design's URL, for drop-in use.
  router.post('/functions/v1/tavus-webhook', rawJson, receive);
  return router;
}
