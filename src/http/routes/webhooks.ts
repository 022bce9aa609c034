import express, { Router, type Request } from 'express';
import type { CallbackTokens } from '../../commands/callbackToken.js';
import type { CallbackPolicy } from '../../commands/recordCallback/command.js';
import { newDeliveryId, type CallbackHandler } from '../../commands/recordCallback/handler.js';
import { hasUnreadableText, replaceUnreadableText } from '../../events/unreadableJson.js';
import { callbackTypeLabel, outcomeOfStatus } from '../../metrics/callbackLabels.js';
import { parseCallback } from '../../tavus/callbacks.js';
import { redactCallbackTokens } from '../../tavus/redact.js';
import { describeFieldErrors } from '../../validation.js';
import { nestingDepth } from '../nesting.js';
import { HttpError } from '../problems.js';
import { rejectionError } from '../rejections.js';

export const MAX_CALLBACK_BYTES = 2 * 1024 * 1024;
/** Real callbacks nest four or five levels; far deeper is an attack on every parser after ours. */
export const MAX_NESTING = 32;

export interface WebhookDeps {
  callbacks: CallbackHandler;
  tokens: CallbackTokens;
  policy: CallbackPolicy;
  now: () => Date;
  /** Counts each callback once answered (type and outcome are labels from a fixed set). */
  count?: (type: string, outcome: string) => void;
}

// The raw bytes are kept: the audit trail stores the body as Tavus sent it.
const rawJson = express.raw({ type: () => true, limit: MAX_CALLBACK_BYTES });

/**
 * The body as received (for its keyed digest), as kept (less the callback token it echoes), and parsed
 * from what is kept, so no fact derived from it can carry the credential either.
 */
function readJson(req: Request<{ token?: string }>): { received: string; stored: string; body: unknown } {
  if (!req.is(['application/json', 'application/*+json'])) {
    throw new HttpError(415, 'callbacks must be sent as application/json');
  }
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const depth = nestingDepth(text);
  if (depth > MAX_NESTING) throw new HttpError(400, `the body nests ${depth} levels deep; callbacks nest at most ${MAX_NESTING}`);
  // Text Postgres could store but never read back (a NUL, an unpaired surrogate) becomes U+FFFD, by
  // the store's own rule: Tavus never sends a callback again, so one odd character must not cost the
  // conversation. The digest of the body as received still proves what arrived. (A raw NUL is not
  // JSON and fails the parse.)
  const redacted = redactCallbackTokens(text, req.params.token);
  const stored = hasUnreadableText(redacted) ? replaceUnreadableText(redacted) : redacted;
  try {
    return { received: text, stored, body: JSON.parse(stored) };
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
      if (token === null) {
        res.locals.callbackOutcome = 'token_invalid';
        throw rejectionError({ reason: 'token_invalid' });
      }
    }
    const { received, stored, body } = readJson(req);
    const parsed = parseCallback(body);
    if (!parsed.ok) throw new HttpError(400, `the callback is not valid: ${describeFieldErrors(parsed.errors)}`, parsed.errors);
    res.locals.callbackType = callbackTypeLabel(parsed.callback);

    const outcome = await deps.callbacks.handle({
      callback: parsed.callback,
      token,
      policy: deps.policy,
      delivery: {
        id: newDeliveryId(),
        receivedAt: deps.now(),
        receivedBody: received,
        storedBody: stored,
        requestId: typeof req.id === 'string' ? req.id : null,
      },
    });
    res.locals.callbackOutcome = outcome.outcome === 'rejected' ? outcome.rejection.reason : outcome.appended > 0 ? 'appended' : 'duplicate';
    if (outcome.outcome === 'rejected') throw rejectionError(outcome.rejection);
    res.status(200).json({ received: true, duplicate: outcome.appended === 0, eventsAppended: outcome.appended });
  };

  // Counted when answered, so refusals before the handler (a body too large, not JSON) count too.
  const counted: express.RequestHandler = (_req, res, next) => {
    const count = deps.count;
    if (count)
      res.once('finish', () => count(String(res.locals.callbackType ?? 'unparsed'), String(res.locals.callbackOutcome ?? outcomeOfStatus(res.statusCode))));
    next();
  };

  router.post('/webhooks/tavus/:token', counted, rawJson, receive);
  router.post('/webhooks/tavus', counted, rawJson, receive);
  // The original design's URL, for drop-in use.
  router.post('/functions/v1/tavus-webhook', counted, rawJson, receive);
  return router;
}
