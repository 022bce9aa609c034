// The durable floor for ingestion, as the design defines it: the same express stack (request
// logger, raw body up to 2 MB, JSON parse) storing only the raw body, with group commit, and
// answering 200 after the commit. What the service does beyond this (authenticate the token,
// validate, decide, append events, project) is what the ratio to this floor measures. Started as
// its own process by bench/ingestion.ts, against the benchmark's database.
import pg from 'pg';
import { Batcher } from '../src/events/batcher.js';
import { benchApp, listen, rawBody } from './support/benchServer.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
await pool.query('CREATE TABLE IF NOT EXISTS floor_callbacks (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)');
// The service's batching: what waits while a batch is written goes in the next, two in flight.
const bodies = new Batcher<string, void>(
  async (batch) => {
    await pool.query('INSERT INTO floor_callbacks (body) SELECT unnest($1::text[])', [batch]);
    return batch.map(() => undefined);
  },
  { maxBatch: 256, maxInFlight: 2, maxQueued: 5_000 },
);

const app = benchApp();
app.post('/webhooks/tavus/:token', rawBody, (req, res, next) => {
  const text = (req.body as Buffer).toString('utf8');
  const body = JSON.parse(text) as { conversation_id?: string };
  bodies.submit(text).then(() => res.status(200).json({ received: true, conversation: body.conversation_id }), next);
});
listen(app, () => pool.end());
