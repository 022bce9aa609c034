import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for an OpenAI-compatible chat-completions endpoint (no model behind it), over
// real HTTP: `POST /v1/chat/completions` with a bearer key, OpenAI's error bodies and headers, and
// the checks OpenAI makes of a strict json_schema response format (every object closed, every
// property required), so a schema the real endpoint would refuse is refused here too.
//
// Its valid answer is made from the prompt: it quotes the PERSON lines of the <transcript> block,
// so the quotes are real. Other behaviours are scripted per request: invalid JSON, a wrong shape,
// a quote that is not in the transcript, a refusal, an answer cut at the token limit, 429 with
// Retry-After, 5xx, or a slow answer.

export type Behaviour =
  | { kind: 'valid' }
  | { kind: 'foreign-quote'; quote?: string }
  | { kind: 'invalid-json' }
  | { kind: 'wrong-shape' }
  | { kind: 'refusal' }
  | { kind: 'truncated' }
  | { kind: 'rate-limited'; retryAfter?: string; retryAfterMs?: string; code?: 'rate_limit_exceeded' | 'insufficient_quota' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'rejected' }
  | { kind: 'slow'; ms: number; then?: Behaviour }
  /** Answers (as `then`, valid by default) only once `until` resolves: a call the test holds open. */
  | { kind: 'held'; until: Promise<void>; then?: Behaviour };

export interface ReceivedRequest {
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** Monotonic ms when the request arrived. */
  at: number;
}

export interface LlmStandIn {
  /** The base URL a client is given (with `/v1`). */
  baseUrl: string;
  apiKey: string;
  model: string;
  requests: ReceivedRequest[];
  /** Most requests in flight at once so far. */
  maxInFlight(): number;
  /** Behaviours of the next requests, in order; after them, the default. */
  script(...behaviours: Behaviour[]): void;
  /**
   * For requests whose prompt contains `text`: these behaviours in order, then `otherwise` (the
   * default when not given) for every later one. Lets a test fail one conversation and not another.
   */
  scriptFor(text: string, behaviours: Behaviour[], otherwise?: Behaviour): void;
  /** Requests whose prompt contains `text`. */
  requestsFor(text: string): ReceivedRequest[];
  /** Resolves when there are `count` requests whose prompt contains `text` (at once if there are). */
  waitForRequests(text: string, count: number): Promise<void>;
  setDefault(behaviour: Behaviour): void;
  close(): Promise<void>;
}

export const FOREIGN_QUOTE = 'I promise you a pay rise of fifty percent';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** Where a strict schema breaks OpenAI's rules, or null. */
function strictSchemaProblem(schema: unknown, path = 'schema'): string | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object') {
    if (s.additionalProperties !== false) return `${path}: 'additionalProperties' is required to be supplied and to be false`;
    const properties = Object.keys((s.properties as Record<string, unknown>) ?? {});
    const required = new Set((s.required as string[]) ?? []);
    const missing = properties.find((p) => !required.has(p));
    if (missing) return `${path}: 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'`;
  }
  for (const [key, value] of Object.entries(s)) {
    const nested =
      key === 'properties' && value && typeof value === 'object'
        ? Object.entries(value)
            .map(([k, v]) => strictSchemaProblem(v, `${path}.${k}`))
            .find(Boolean)
        : strictSchemaProblem(value, `${path}.${key}`);
    if (nested) return nested;
  }
  return null;
}

function personLines(messages: { role: string; content: string }[]): string[] {
  const prompt = messages.map((m) => m.content).join('\n');
  const block = /<transcript>\n([\s\S]*)\n<\/transcript>/.exec(prompt)?.[1] ?? '';
  return block
    .split('\n')
    .filter((l) => l.startsWith('PERSON: '))
    .map((l) => l.slice('PERSON: '.length));
}

/** A few words from the start of a line, as a model quoting it would copy them. */
function quoteOf(line: string): string {
  return line.split(' ').slice(0, 8).join(' ');
}

function validAnswer(lines: string[], foreign?: string) {
  const quotes = lines.slice(0, 2).map(quoteOf);
  const last = lines.length > 0 ? [quoteOf(lines[lines.length - 1]!)] : [];
  const overall = Math.min(100, 40 + 5 * lines.length);
  return {
    strengths: [
      { point: 'You opened the conversation clearly.', quotes: foreign ? [...quotes, foreign] : quotes },
      { point: 'You kept the conversation going.', quotes: last },
    ],
    areasForImprovement: [{ point: 'You could reflect more of what you heard.', quotes: quotes.slice(0, 1) }],
    keyInsights: [`You spoke ${lines.length} times.`],
    communicationScore: overall,
    empathyScore: Math.max(0, overall - 10),
    problemSolvingScore: Math.max(0, overall - 5),
    overallScore: overall,
  };
}

export async function startLlmStandIn(options: { apiKey?: string; model?: string } = {}): Promise<LlmStandIn> {
  const apiKey = options.apiKey ?? 'test-llm-key';
  const model = options.model ?? 'stand-in-model';
  const requests: ReceivedRequest[] = [];
  const scripted: Behaviour[] = [];
  const rules: { text: string; behaviours: Behaviour[]; otherwise?: Behaviour }[] = [];
  const promptOf = (body: Record<string, unknown>) => JSON.stringify(body.messages ?? '');
  const waiters: { text: string; count: number; resolve: () => void }[] = [];
  const wakeWaiters = () => {
    for (const w of [...waiters]) {
      if (requests.filter((r) => promptOf(r.body).includes(w.text)).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const ruleBehaviour = (body: Record<string, unknown>): Behaviour | undefined => {
    const prompt = promptOf(body);
    const rule = rules.find((r) => prompt.includes(r.text));
    return rule && (rule.behaviours.shift() ?? rule.otherwise);
  };
  let fallback: Behaviour = { kind: 'valid' };
  let inFlight = 0;
  let maxInFlight = 0;
  const open = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomBytes(6).toString('hex')}`, ...headers });
    res.end(JSON.stringify(body));
  };

  const completion = (content: string | null, extra: { refusal?: string; finish?: string } = {}, promptChars = 0) => ({
    id: `chatcmpl-${randomBytes(8).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `${model}-2025-01-01`,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: extra.refusal ?? null }, logprobs: null, finish_reason: extra.finish ?? 'stop' }],
    // Roughly what a tokenizer would say; the client only carries it through.
    usage: {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil((content ?? '').length / 4),
      total_tokens: Math.ceil(promptChars / 4) + Math.ceil((content ?? '').length / 4),
    },
  });

  async function answer(res: ServerResponse, behaviour: Behaviour, body: Record<string, unknown>): Promise<void> {
    const messages = body.messages as { role: string; content: string }[];
    const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
    const lines = personLines(messages);
    switch (behaviour.kind) {
      case 'valid':
        return send(res, 200, completion(JSON.stringify(validAnswer(lines)), {}, promptChars));
      case 'foreign-quote':
        return send(res, 200, completion(JSON.stringify(validAnswer(lines, behaviour.quote ?? FOREIGN_QUOTE)), {}, promptChars));
      case 'invalid-json':
        return send(res, 200, completion('{"strengths": [', {}, promptChars));
      case 'wrong-shape':
        return send(res, 200, completion(JSON.stringify({ feedback: 'Well done.' }), {}, promptChars));
      case 'refusal':
        return send(res, 200, completion(null, { refusal: "I'm sorry, I can't help with that." }, promptChars));
      case 'truncated':
        return send(res, 200, completion('{"strengths": [{"point": "You', { finish: 'length' }, promptChars));
      case 'rate-limited': {
        const headers: Record<string, string> = {};
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = behaviour.retryAfterMs;
        const quota = behaviour.code === 'insufficient_quota';
        return send(
          res,
          429,
          quota
            ? openAiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota')
            : openAiError(`Rate limit reached for ${model} on requests per min (RPM).`, 'requests', 'rate_limit_exceeded'),
          headers,
        );
      }
      case 'server-error':
        return send(res, behaviour.status ?? 500, openAiError('The server had an error while processing your request.', 'server_error', null));
      case 'rejected':
        return send(res, 400, openAiError("Invalid 'messages': this request cannot be served.", 'invalid_request_error', null, 'messages'));
      case 'held':
        await Promise.race([behaviour.until, new Promise<void>((resolve) => res.once('close', () => resolve()))]);
        return answer(res, behaviour.then ?? { kind: 'valid' }, body);
      case 'slow': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, behaviour.ms);
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return answer(res, behaviour.then ?? { kind: 'valid' }, body);
      }
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => {
      inFlight--;
      open.delete(res);
    });
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return send(res, 404, openAiError(`Invalid URL (${req.method} ${req.url})`, 'invalid_request_error', null));
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', null));
    }
    requests.push({ body, authorization: req.headers.authorization, at: performance.now() });
    wakeWaiters();
    if (body.model !== model) {
      return send(
        res,
        404,
        openAiError(`The model \`${String(body.model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
      );
    }
    if (!Array.isArray(body.messages) || body.messages.some((m) => typeof m?.content !== 'string')) {
      return send(res, 400, openAiError("Invalid 'messages'.", 'invalid_request_error', null, 'messages'));
    }
    const format = body.response_format as { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } } | undefined;
    if (format?.type !== 'json_schema' || format.json_schema?.strict !== true || !format.json_schema.name) {
      return send(res, 400, openAiError('This stand-in answers strict json_schema requests only.', 'invalid_request_error', null, 'response_format'));
    }
    const problem = strictSchemaProblem(format.json_schema.schema);
    if (problem) {
      return send(
        res,
        400,
        openAiError(
          `Invalid schema for response_format '${format.json_schema.name}': In context=(), ${problem}.`,
          'invalid_request_error',
          'invalid_json_schema',
          'response_format',
        ),
      );
    }
    await answer(res, ruleBehaviour(body) ?? scripted.shift() ?? fallback, body);
  };
  const server = createServer((req, res) => void handle(req, res));

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    model,
    requests,
    maxInFlight: () => maxInFlight,
    script: (...behaviours) => scripted.push(...behaviours),
    scriptFor: (text, behaviours, otherwise) => {
      const known = rules.find((r) => r.text === text);
      if (known) {
        known.behaviours = [...behaviours];
        known.otherwise = otherwise;
      } else rules.push({ text, behaviours: [...behaviours], otherwise });
    },
    requestsFor: (text) => requests.filter((r) => promptOf(r.body).includes(text)),
    waitForRequests: (text, count) =>
      new Promise<void>((resolve) => {
        waiters.push({ text, count, resolve });
        wakeWaiters();
      }),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
