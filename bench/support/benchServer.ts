import express from 'express';
import pino from 'pino';
import { requestLogger } from '../../src/http/app.js';

// What the ceiling and the durable floor share with the service's stack: express with its request
// logger and a health route, and the same keep-alive. Each adds its own callback route.

export function benchApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(pino({ level: process.env.LOG_LEVEL ?? 'warn' })));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}

/** The callback route's body parser, as the service's: raw, up to 2 MB. */
export const rawBody = express.raw({ type: () => true, limit: 2 * 1024 * 1024 });

/** Listens on PORT, stopping on SIGTERM after `beforeExit`. */
export function listen(app: express.Express, beforeExit: () => Promise<void> = () => Promise.resolve()): void {
  const server = app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => server.close(() => void beforeExit().then(() => process.exit(0))));
}
