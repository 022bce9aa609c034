import { Router } from 'express';
import type pg from 'pg';
import { MIGRATIONS_TABLE, shippedMigrations } from '../../db/migrate.js';
import { countDeadLetters } from '../../projections/runtime/deadLetters.js';

export function healthRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      const [shipped, applied] = await Promise.all([shippedMigrations(), pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)]);
      const done = new Set(applied.rows.map((r) => r.name));
      const pending = shipped.filter((m) => !done.has(m));
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
