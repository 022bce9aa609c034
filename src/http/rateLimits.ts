import type { RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { Logger } from 'pino';
import { sendProblem } from './problems.js';

// Limits on the user routes only: Tavus's callbacks must never be throttled (it does not retry),
// and health probes must always answer. Counts are kept in this process's memory, each client in
// a fixed window from its first request; several instances each count on their own.

export interface RateLimits {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

type LimiterOptions = { windowMs: number; limit: number; name: string; whose: string; logger: Logger } & Partial<Pick<Options, 'keyGenerator' | 'skip'>>;

function limiter(options: LimiterOptions): RequestHandler {
  const { whose, logger, name, ...rest } = options;
  return rateLimit({
    ...rest,
    identifier: name,
    // RateLimit and RateLimit-Policy headers (IETF draft 8), and Retry-After on a 429.
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its checks of the setup (an untrusted X-Forwarded-For, say) come once each, as warnings.
    logger: { warn: (err) => logger.warn({ err }, 'rate limiter'), error: (err) => logger.warn({ err }, 'rate limiter') },
    handler: (_req, res) => {
      sendProblem(res, 429, `too many requests ${whose}; retry after ${String(res.getHeader('Retry-After'))} s`);
    },
  });
}

/** Before authentication, so that floods of bad tokens are limited too. */
export function limitPerAddress(limits: RateLimits, logger: Logger): RequestHandler {
  return limiter({ windowMs: limits.windowMs, limit: limits.perAddress, name: 'per-address', whose: 'from this address', logger });
}

/**
 * After authentication: per user, however many tokens they hold. The operator's service key is not
 * limited here; its address still is.
 */
export function limitPerUser(limits: RateLimits, logger: Logger): RequestHandler {
  return limiter({
    windowMs: limits.windowMs,
    limit: limits.perUser,
    name: 'per-user',
    whose: 'for this user',
    logger,
    skip: (req) => req.principal?.kind !== 'user',
    keyGenerator: (req) => (req.principal?.kind === 'user' ? req.principal.userId : ''),
  });
}
