import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Tavus's REST API, answering as the real one does (shared/tavus/README.md):
// `x-api-key` checked, `POST /v2/conversations` answering conversation_id/url/status, errors as
// `400 {"error"}` and `401 {"message"}`. It can fail on demand: an error status, or no answer at all.

export interface CreatedRecord {
  body: Record<string, unknown>;
  answer: { conversation_id: string; conversation_url: string };
}

export type Failure = { status: number; body: unknown } | { hang: true };

export interface TavusStandIn {
  url: string;
  apiKey: string;
  created: CreatedRecord[];
  failNext(failure: Failure): void;
  /** Runs before the next create is answered: what Tavus may do (call back) before we hear its answer. */
  beforeNextAnswer(fn: (created: CreatedRecord) => Promise<void>): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTavusStandIn(apiKey = 'test-tavus-key', port = 0): Promise<TavusStandIn> {
  const created: CreatedRecord[] = [];
  const failures: Failure[] = [];
  const beforeAnswers: ((created: CreatedRecord) => Promise<void>)[] = [];
  const hanging = new Set<ServerResponse>();

  const respond = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-api-key'] !== apiKey) return send(401, { message: 'Invalid access token' });
    if (req.method === 'POST' && req.url === '/v2/conversations') {
      const failure = failures.shift();
      if (failure && 'hang' in failure) {
        hanging.add(res);
        return;
      }
      if (failure) return send(failure.status, failure.body);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { error: 'Invalid JSON' });
      }
      if (body.replica_id === undefined && body.persona_id === undefined) return send(400, { error: 'replica_id or persona_id is required' });
      const id = `c${randomBytes(7).toString('hex')}`;
      const answer = {
        conversation_id: id,
        conversation_name: (body.conversation_name as string | undefined) ?? `New Conversation ${id}`,
        conversation_url: `https://tavus.daily.co/${id}`,
        status: 'active',
        callback_url: body.callback_url,
        created_at: new Date().toISOString(),
      };
      created.push({ body, answer });
      const before = beforeAnswers.shift();
      if (before) return void before({ body, answer }).finally(() => send(200, answer));
      return send(200, answer);
    }
    send(404, { error: 'Not found' });
  };
  // A request that breaks off before its body is complete gets no answer.
  const server: Server = createServer((req, res) => {
    readBody(req).then((raw) => respond(req, res, raw), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    apiKey,
    created,
    failNext: (failure) => failures.push(failure),
    beforeNextAnswer: (fn) => beforeAnswers.push(fn),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
