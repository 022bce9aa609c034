import { timingSafeEqual, createHash } from 'node:crypto';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { HttpError } from '../problems.js';

export interface MetricsRouteDeps {
  registry: Registry;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

// Hashing both sides first gives equal lengths, so the comparison takes the same time whatever was sent.
const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = Router();
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, 'metrics need Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    const body = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(body);
  });
  return router;
}
