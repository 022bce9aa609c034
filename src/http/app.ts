import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { CallbackTokens } from '../commands/callbackToken.js';
import type { CallbackPolicy } from '../commands/recordCallback/command.js';
import type { CallbackHandler } from '../commands/recordCallback/handler.js';
import type { ConversationStarts } from '../commands/startConversation/handler.js';
import type { TavusClient } from '../tavus/client.js';
import type { ConversationCaps } from './conversationProperties.js';
import { tokenVerifier, type TokenVerifierOptions } from './jwtVerifier.js';
import type { RateLimits } from './rateLimits.js';
import type { Metrics } from '../metrics/registry.js';
import { requestMetrics } from './requestMetrics.js';
import { findAnalyzer } from '../analysis/registry.js';
import { adminRoutes } from './routes/admin.js';
import { conversationRoutes, type ConversationRouteDeps } from './routes/conversations.js';
import type { Keyring } from '../privacy/keyring.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { webhookRoutes } from './routes/webhooks.js';
import { redactCallbackTokens } from '../tavus/redact.js';
import type { FeedbackHub } from './live/feedbackHub.js';
import type { RecordingLinks } from '../storage/links.js';
import { errorHandler, sendProblem } from './problems.js';

export interface AppDeps {
  pool: pg.Pool;
  /** Connections of the health probes' own. */
  probePool: pg.Pool;
  callbacks: CallbackHandler;
  starts: ConversationStarts;
  tavus: TavusClient;
  tokens: CallbackTokens;
  userAuth: TokenVerifierOptions;
  rateLimits: RateLimits;
  conversationCaps: ConversationCaps;
  /** Reverse proxies whose X-Forwarded-For gives the client's address (for the per-address limit). */
  trustProxyHops: number;
  publicUrl: string;
  callbackPolicy: CallbackPolicy;
  logger: Logger;
  /** Prometheus metrics: counted here, served at GET /metrics (behind `token` when set). */
  metrics?: { metrics: Metrics; token: string | undefined };
  /** This instance runs the outbox relay to KurrentDB (its lag is then on GET /admin/lag). */
  relayEnabled?: boolean;
  /** Whether an analyzer id is one this service knows (default: the registry's). */
  isAnalyzer?: (id: string) => boolean;
  /** Live feedback streams (GET /conversations/:id/feedback/stream). */
  feedbackHub?: FeedbackHub;
  /** Links to recordings (GET /conversations/:id/recording), and the origin the console's player may load them from. */
  recordings?: { links: RecordingLinks; mediaOrigin: string };
  keyring: Keyring;
  /** DELETE /conversations/:id. */
  erase: ConversationRouteDeps['erase'];
  now?: () => Date;
}

const QUERY_TOKEN = /([?&]access_token=)[^&#]*/gi;

/** A URL without the `access_token` query parameter's value (live feedback streams take the JWT there). */
export function redactQueryToken(url: string): string {
  return url.replace(QUERY_TOKEN, '$1[redacted]');
}

/** Request ids and access logs; errors at warn/error, successes only at debug (they are the bulk). */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.params.token', 'req.query.access_token'],
    // A callback URL's path is its credential, and so is a live stream's ?access_token=.
    serializers: { req: (req: { url?: string }) => ({ ...req, url: req.url && redactQueryToken(redactCallbackTokens(req.url)) }) },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
  });
}

/**
 * helmet's headers on every answer. The pages the service serves (/docs, /console) load scripts only
 * from the service itself and run none inline; Swagger UI sets inline style attributes and data:
 * images, so those stay allowed. No upgrade-insecure-requests: the service is often reached over
 * plain http (localhost, a private network, behind a proxy that ends TLS). `mediaOrigins`: where the
 * console's player may load recordings from (the app's storage), and nowhere else.
 */
export function securityHeaders(mediaOrigins: string[] = []) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'media-src': ["'self'", ...mediaOrigins],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': null,
      },
    },
  });
}

export function createApp(deps: AppDeps): express.Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // false rather than 0 hops: then the rate limiter warns once when X-Forwarded-For arrives untrusted.
  app.set('trust proxy', deps.trustProxyHops || false);
  app.use(securityHeaders(deps.recordings ? [deps.recordings.mediaOrigin] : []));
  const metrics = deps.metrics?.metrics;
  if (metrics) app.use(requestMetrics(metrics.httpDuration));
  app.use(requestLogger(deps.logger));
  app.use(healthRoutes(deps.probePool));
  app.use(docsRoutes({ caps: deps.conversationCaps, publicUrl: deps.publicUrl }));
  if (deps.metrics) app.use(metricsRoutes({ registry: deps.metrics.metrics.registry, token: deps.metrics.token }));
  app.use(
    webhookRoutes({
      callbacks: deps.callbacks,
      tokens: deps.tokens,
      policy: deps.callbackPolicy,
      now,
      count: metrics && ((type, outcome) => metrics.callbacks.inc({ type, outcome })),
    }),
  );
  const verifyToken = tokenVerifier({ ...deps.userAuth, now });
  app.use(
    adminRoutes({
      pool: deps.pool,
      probePool: deps.probePool,
      verifyToken,
      relayEnabled: deps.relayEnabled ?? false,
      isAnalyzer: deps.isAnalyzer ?? ((id) => findAnalyzer(id) !== undefined),
    }),
  );
  app.use(
    conversationRoutes({
      pool: deps.pool,
      starts: deps.starts,
      tavus: deps.tavus,
      tokens: deps.tokens,
      publicUrl: deps.publicUrl,
      now,
      verifyToken,
      rateLimits: deps.rateLimits,
      caps: deps.conversationCaps,
      logger: deps.logger,
      hub: deps.feedbackHub,
      recordings: deps.recordings?.links,
      keyring: deps.keyring,
      erase: deps.erase,
    }),
  );
  app.use((_req, res) => sendProblem(res, 404, 'no such route'));
  app.use(errorHandler((err, req) => deps.logger.error({ err, reqId: req.id }, 'unexpected error')));
  return app;
}
