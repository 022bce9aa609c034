// The ceiling for ingestion: the same express stack (request logger, raw body up to 2 MB, JSON parse)
// answering the same callback without any database. Started as its own process by bench/ingestion.ts.
import express from 'express';
import pino from 'pino';
import { requestLogger } from '../src/http/app.js';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(requestLogger(pino({ level: process.env.LOG_LEVEL ?? 'warn' })));
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/webhooks/tavus/:token', express.raw({ type: () => true, limit: 2 * 1024 * 1024 }), (req, res) => {
  const body = JSON.parse((req.body as Buffer).toString('utf8')) as { conversation_id?: string };
  res.status(200).json({ received: true, conversation: body.conversation_id });
});
const server = app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
