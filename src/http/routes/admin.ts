import express, { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { listDeadLetters, requestRetry } from '../../projections/runtime/deadLetters.js';
import { readLag } from '../../projections/runtime/lag.js';
import { readRelayLag } from '../../reactors/relay/lag.js';
import { describeFieldErrors, fieldErrorsOf } from '../../validation.js';
import { authenticate } from '../auth.js';
import type { TokenVerifier } from '../jwtVerifier.js';
import { HttpError } from '../problems.js';

// The operator's view (the console's operator panel): projection and relay lag, dead letters and
// the same retry `tavus-feedback deadletters retry` asks for. The service_role token only.

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
}

export const retryBody = z.strictObject({
  streamId: z.string().min(1).max(200).optional().meta({ description: 'one parked stream (conversation-<tavus id>); absent: all' }),
});

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
