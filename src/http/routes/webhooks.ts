import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { newDeliveryId, type CallbackRecorder } from '../../commands/callbackRecorder.js';
import type { CallbackTokens } from '../../commands/callbackToken.js';
import { parseCallback } from '../../tavus/callbacks.js';
import { HttpError } from '../problems.js';

export const MAX_CALLBACK_BYTES = 2 * 1024 * 1024;

export interface WebhookDeps {
  recorder: CallbackRecorder;
  tokens: CallbackTokens;
  webhookAuth: 'token' | 'none';
  now: () => Date;
}

// The raw bytes are kept: the audit trail stores the body exactly as Tavus sent it.
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

  const receive = async (req: Request<{ token?: string }>, res: express.Response) => {
    let tokenConversationId: string | null = null;
    if (req.params.token !== undefined) {
      tokenConversationId = deps.tokens.verify(req.params.token) ?? null;
      if (tokenConversationId === null) throw new HttpError(401, 'this callback URL is not one this service issued');
    }
    const { text, body } = readJson(req);
    const parsed = parseCallback(body);
    if (!parsed.ok) throw new HttpError(400, `the callback is not valid: ${parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, parsed.errors);

    const outcome = await deps.recorder.record(
      {
        callback: parsed.callback,
        tokenConversationId,
        requireToken: deps.webhookAuth === 'token',
        delivery: {
          id: newDeliveryId(),
          receivedAt: deps.now(),
          bodySha256: createHash('sha256').update(text).digest('hex'),
          requestId: typeof req.id === 'string' ? req.id : null,
        },
      },
      text,
    );
    if (outcome.outcome === 'rejected') throw new HttpError(outcome.status, outcome.message);
    res.status(200).json({ received: true, duplicate: outcome.appended === 0, eventsAppended: outcome.appended });
  };

  router.post('/webhooks/tavus/:token', rawJson, receive);
  router.post('/webhooks/tavus', rawJson, receive);
  // The original design's URL, for drop-in use.
  router.post('/functions/v1/tavus-webhook', rawJson, receive);
  return router;
}
