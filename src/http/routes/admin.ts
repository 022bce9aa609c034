import express, { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { buildsAmong, listBuilds, type Build } from '../../projections/builds/builds.js';
import { compareBuilds } from '../../projections/builds/compareBuilds.js';
import { listDeadLetters, requestRetry } from '../../projections/runtime/deadLetters.js';
import { readLag } from '../../projections/runtime/lag.js';
import { readRelayLag } from '../../reactors/relay/lag.js';
import { ANALYZER_ID, describeFieldErrors, fieldErrorsOf, type FieldError } from '../../validation.js';
import { authenticate } from '../auth.js';
import type { TokenVerifier } from '../jwtVerifier.js';
import { HttpError } from '../problems.js';

// The operator's view (the console's operator panel): projection and relay lag, dead letters and
// the same retry `tavus-feedback deadletters retry` asks for, the builds and how two of them
// compare (as `tavus-feedback compare`). The service_role token only.

export interface AdminDeps {
  pool: pg.Pool;
  /** Lag is read where the probes read, so the panel never waits behind callbacks. */
  probePool: pg.Pool;
  verifyToken: TokenVerifier;
  /**
   * Whether this instance runs the relay (KURRENTDB_URL set). Without it the relay checkpoint never
   * moves, and its "lag" would be the whole history growing: the panel says "not configured" instead.
   */
  relayEnabled: boolean;
  /** Whether this service knows an analyzer id (its registry, or the analyzers a test gave it). */
  isAnalyzer: (id: string) => boolean;
}

export const retryBody = z.strictObject({
  streamId: z.string().min(1).max(200).optional().meta({ description: 'one parked stream (conversation-<tavus id>); absent: all' }),
});

const analyzerParam = (which: string) =>
  z
    .string()
    .regex(ANALYZER_ID, 'must look like name@version, e.g. baseline@1')
    .meta({ description: `build ${which}, name@version (GET /admin/builds lists them)` });

export const compareQuery = z.strictObject({ a: analyzerParam('A'), b: analyzerParam('B: shifts are B − A') });

function stateOf(build: Build): 'live' | 'building' | 'ready' {
  return build.live ? 'live' : build.status === 'building' ? 'building' : 'ready';
}

export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();
  const operatorOnly: RequestHandler = (req, _res, next) => {
    if (req.principal?.kind !== 'operator') return next(new HttpError(403, 'only the service_role key may use /admin'));
    next();
  };
  router.use('/admin', authenticate(deps.verifyToken), operatorOnly);

  router.get('/admin/lag', async (_req, res) => {
    const [projections, relay] = await Promise.all([readLag(deps.probePool), deps.relayEnabled ? readRelayLag(deps.probePool) : null]);
    res.json({ projections, relay: relay ? { enabled: true, ...relay } : { enabled: false } });
  });

  router.get('/admin/deadletters', async (_req, res) => {
    res.json({ deadLetters: await listDeadLetters(deps.pool) });
  });

  router.get('/admin/builds', async (_req, res) => {
    const builds = (await listBuilds(deps.pool)).sort((x, y) => y.startedAt.getTime() - x.startedAt.getTime());
    res.json({
      builds: builds.map((b) => ({ analyzer: b.analyzer, state: stateOf(b), rows: b.rows, startedAt: b.startedAt, builtAt: b.builtAt })),
    });
  });

  router.get('/admin/compare', async (req, res) => {
    const parsed = compareQuery.safeParse(req.query);
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error);
      throw new HttpError(400, `the query is not valid: ${describeFieldErrors(errors)}`, errors);
    }
    const { a, b } = parsed.data;
    const built = await buildsAmong(deps.pool, [a, b]);
    const missing = (['a', 'b'] as const).filter((field) => !built.includes(parsed.data[field]));
    // A build outlives its analyzer's code, so only ids with no build are checked against the registry.
    const unknown: FieldError[] = missing
      .filter((field) => !deps.isAnalyzer(parsed.data[field]))
      .map((field) => ({ field, message: `unknown analyzer ${parsed.data[field]}` }));
    if (unknown.length > 0) throw new HttpError(400, `the query is not valid: ${describeFieldErrors(unknown)}`, unknown);
    // Not an empty comparison: zeros would read as "nothing moved".
    if (missing.length > 0) {
      const ids = missing.map((field) => parsed.data[field]);
      throw new HttpError(404, `no build of ${ids.join(' or ')} yet: \`tavus-feedback rebuild feedback --analyzer ${ids[0]}\` makes one`);
    }
    res.json(await compareBuilds(deps.pool, a, b));
  });

  router.post('/admin/deadletters/retry', express.json({ limit: '4kb', type: () => true }), async (req, res) => {
    const parsed = retryBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error);
      throw new HttpError(400, `the request is not valid: ${describeFieldErrors(errors)}`, errors);
    }
    const requested = await requestRetry(deps.pool, parsed.data.streamId ?? null);
    if (parsed.data.streamId && requested === 0) throw new HttpError(404, `no dead letter for ${parsed.data.streamId}`);
    // Accepted: the running projections apply them at their next batch (watch /admin/deadletters).
    res.status(202).json({ requested });
  });
  return router;
}
