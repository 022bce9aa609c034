// The ceiling for ingestion: the same express stack (request logger, raw body up to 2 MB, JSON parse)
// answering the same callback without any database. Started as its own process by bench/ingestion.ts.
import { benchApp, listen, rawBody } from './support/benchServer.js';

const app = benchApp();
app.post('/webhooks/tavus/:token', rawBody, (req, res) => {
  const body = JSON.parse((req.body as Buffer).toString('utf8')) as { conversation_id?: string };
  res.status(200).json({ received: true, conversation: body.conversation_id });
});
listen(app);
