import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Tavus's REST API, answering as the real one does (shared/tavus/README.md):
// `x-api-key` checked, `POST /v2/conversations` answering conversation_id/url/status, errors as
// `400 {"error"}` and `401 {"message"}`, and `GET /v2/conversations/:id[?verbose=true]`, whose
// verbose answer replays the conversation's callbacks in `events`, each echoing the callback URL
// (token included) as `webhook_url`, as Tavus's do. It can fail on demand: an error status (with
// headers such as Retry-After), no answer at all, or an answer held back until the test lets it go.

export interface CreatedRecord {
  body: Record<string, unknown>;
  answer: { conversation_id: string; conversation_url: string };
}

export type Failure = { status: number; body: unknown } | { hang: true };
export type GetFailure = { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true } | { until: Promise<void> };

/** What Tavus knows of a conversation: created ones start active, with no events. */
export interface KnownConversation {
  status: 'active' | 'ended';
  /** Callback bodies as Tavus POSTs them; the GET fills in conversation_id and webhook_url. */
  events: Record<string, unknown>[];
  callbackUrl: string | null;
}

export interface GetRecord {
  id: string;
  verbose: boolean;
  at: number;
}

export interface TavusStandIn {
  url: string;
  apiKey: string;
  created: CreatedRecord[];
  failNext(failure: Failure): void;
  /** Runs before the next create is answered: what Tavus may do (call back) before we hear its answer. */
  beforeNextAnswer(fn: (created: CreatedRecord) => Promise<void>): void;
  /** Sets what the GET of `id` answers from now on (status, events; the callback URL is kept). */
  setConversation(id: string, state: Partial<KnownConversation>): void;
  /** The next GETs of `id` fail (or hang, or wait), in the order given. */
  failNextGet(id: string, failure: GetFailure): void;
  /** Every GET of a conversation received, in order. */
  gets: GetRecord[];
  getsOf(id: string): GetRecord[];
  /** Resolves once `n` GETs of `id` have arrived (a signal for tests, no polling). */
  whenGets(id: string, n: number): Promise<void>;
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
  const hanging = new Set<import('node:http').ServerResponse>();
  const known = new Map<string, KnownConversation>();
  const getFailures = new Map<string, GetFailure[]>();
  const gets: GetRecord[] = [];
  const waiters: { id: string; n: number; resolve: () => void }[] = [];
  const getsOf = (id: string) => gets.filter((g) => g.id === id);

  const answerGet = async (
    id: string,
    verbose: boolean,
    res: import('node:http').ServerResponse,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ) => {
    gets.push({ id, verbose, at: Date.now() });
    for (const w of waiters.filter((w) => w.id === id && getsOf(id).length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const failure = getFailures.get(id)?.shift();
    if (failure && 'hang' in failure) {
      hanging.add(res);
      return;
    }
    if (failure && 'until' in failure) {
      hanging.add(res);
      await failure.until;
      hanging.delete(res);
      if (res.destroyed) return;
    } else if (failure) {
      return send(failure.status, failure.body ?? { error: 'Internal server error' }, failure.headers);
    }
    const conversation = known.get(id);
    if (!conversation) return send(404, { error: 'Conversation not found' });
    const answer: Record<string, unknown> = {
      conversation_id: id,
      conversation_name: `New Conversation ${id}`,
      conversation_url: `https://tavus.daily.co/${id}`,
      callback_url: conversation.callbackUrl,
      status: conversation.status,
      replica_id: 'r-test',
      created_at: '2025-07-11T06:40:00Z',
      updated_at: '2025-07-11T06:50:00Z',
    };
    if (verbose) {
      answer.events = conversation.events.map((e) => ({
        ...e,
        conversation_id: id,
        webhook_url: conversation.callbackUrl,
        created_at: '2025-07-11T06:50:00Z',
      }));
    }
    send(200, answer);
  };

  const handle = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const raw = await readBody(req);
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
        body = JSON.parse(raw);
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
      known.set(id, { status: 'active', events: [], callbackUrl: typeof body.callback_url === 'string' ? body.callback_url : null });
      await beforeAnswers.shift()?.({ body, answer });
      return send(200, answer);
    }
    const get = req.method === 'GET' ? /^\/v2\/conversations\/([^/?]+)(\?.*)?$/.exec(req.url ?? '') : null;
    if (get) return answerGet(decodeURIComponent(get[1]!), new URLSearchParams(get[2] ?? '').get('verbose') === 'true', res, send);
    send(404, { error: 'Not found' });
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    apiKey,
    created,
    failNext: (failure) => failures.push(failure),
    beforeNextAnswer: (fn) => beforeAnswers.push(fn),
    setConversation(id, state) {
      const current = known.get(id) ?? { status: 'active', events: [], callbackUrl: null };
      known.set(id, { ...current, ...state });
    },
    failNextGet(id, failure) {
      getFailures.set(id, [...(getFailures.get(id) ?? []), failure]);
    },
    gets,
    getsOf,
    whenGets(id, n) {
      if (getsOf(id).length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ id, n, resolve }));
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
