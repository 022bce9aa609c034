import { Router } from 'express';
import type pg from 'pg';
import { pendingMigrations } from '../../db/migrate.js';
import { countDeadLetters } from '../../projections/runtime/deadLetters.js';

export function healthRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      const pending = await pendingMigrations(pool);
      if (pending.length > 0) return res.status(503).json({ status: 'migrations pending', pending });
      // Parked conversations do not make the service unready (everything else flows), but an
      // operator watching readiness should see them.
      res.json({ status: 'ready', deadLetters: await countDeadLetters(pool) });
    } catch (err) {
      res.status(503).json({ status: 'database unreachable', detail: (err as Error).message });
    }
  });
  return router;
}
