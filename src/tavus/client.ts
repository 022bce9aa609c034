import { z } from 'zod';

// The part of Tavus's REST API we call. Failures are TavusErrors; the ones a caller acts on differently
// (not found, rate limited, failing) have classes of their own. No error message carries the API key
// or a body Tavus answered with, which may echo our callback URL and its token.

export interface CreateConversationRequest {
  replicaId?: string;
  personaId?: string;
  callbackUrl: string;
  conversationName?: string;
  conversationalContext?: string;
  customGreeting?: string;
  properties?: Record<string, unknown>;
}

const createConversationAnswer = z.looseObject({
  conversation_id: z.string().min(1),
  conversation_url: z.string().nullish(),
  conversation_name: z.string().nullish(),
  status: z.string().nullish(),
  created_at: z.string().nullish(),
});

export type CreatedConversation = {
  conversationId: string;
  conversationUrl: string | null;
  status: string | null;
};

export class TavusError extends Error {
  override name = 'TavusError';
  constructor(
    message: string,
    /** Tavus's HTTP status, or undefined when it never answered. */
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** 404: Tavus does not know the conversation. */
export class TavusNotFoundError extends TavusError {
  override name = 'TavusNotFoundError';
}

/** 429: ask again no sooner than `retryAfterSeconds` (Retry-After), when Tavus said. */
export class TavusRateLimitedError extends TavusError {
  override name = 'TavusRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message, 429);
  }
}

/** Tavus is failing: a 5xx, no answer in time, or not reachable. Worth asking again later. */
export class TavusFailingError extends TavusError {
  override name = 'TavusFailingError';
  constructor(
    message: string,
    status: number | undefined,
    readonly failure: 'status' | 'timeout' | 'unreachable',
  ) {
    super(message, status);
  }
}

// Loose: Tavus adds fields. The events are checked one by one against the callback shapes by whoever
// replays them, so one odd event does not hide the others. callback_url is left out on purpose: it
// holds our callback token.
const conversationAnswer = z.looseObject({
  conversation_id: z.string().min(1),
  status: z.string().nullish(),
  shutdown_reason: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  events: z.array(z.unknown()).nullish(),
});

export interface FetchedConversation {
  conversationId: string;
  /** `active` or `ended` as Tavus says; null when it did not say. */
  status: string | null;
  shutdownReason: string | null;
  /** With verbose: every callback of the conversation, in the callbacks' own shapes, unchecked. */
  events: unknown[];
}

export interface TavusClient {
  createConversation(request: CreateConversationRequest): Promise<CreatedConversation>;
  getConversation(conversationId: string, options?: { verbose?: boolean; signal?: AbortSignal }): Promise<FetchedConversation>;
}

export function createTavusClient(options: { apiUrl: string; apiKey: string | undefined; timeoutMs?: number }): TavusClient {
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** One request; resolves with the parsed JSON of a 2xx answer, throws a TavusError otherwise. */
  async function request(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; json: unknown }> {
    if (!options.apiKey) throw new TavusError('TAVUS_API_KEY is not set, so Tavus cannot be asked', undefined);
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${options.apiUrl}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-api-key': options.apiKey },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      if (timedOut) throw new TavusFailingError(`Tavus did not answer within ${timeoutMs / 1000} s`, undefined, 'timeout');
      throw new TavusFailingError(`Tavus could not be reached: ${(err as Error).message}`, undefined, 'unreachable');
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TavusFailingError(`Tavus's answer broke off: ${(err as Error).message}`, response.status, timeout.aborted ? 'timeout' : 'unreachable');
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) return { status: response.status, json };
    const says = `Tavus answered ${response.status}: ${tavusMessage(json) ?? response.statusText}`;
    if (response.status === 404) throw new TavusNotFoundError(says, 404);
    if (response.status === 429) throw new TavusRateLimitedError(says, retryAfterSeconds(response.headers.get('retry-after'), Date.now()));
    if (response.status >= 500) throw new TavusFailingError(says, response.status, 'status');
    throw new TavusError(says, response.status);
  }

  return {
    async createConversation(req) {
      const { status, json } = await request('POST', '/v2/conversations', {
        replica_id: req.replicaId,
        persona_id: req.personaId,
        callback_url: req.callbackUrl,
        conversation_name: req.conversationName,
        conversational_context: req.conversationalContext,
        custom_greeting: req.customGreeting,
        properties: req.properties,
      });
      const parsed = createConversationAnswer.safeParse(json);
      if (!parsed.success) throw new TavusError('Tavus answered without a conversation_id', status);
      return {
        conversationId: parsed.data.conversation_id,
        conversationUrl: parsed.data.conversation_url ?? null,
        status: parsed.data.status ?? null,
      };
    },

    async getConversation(conversationId, { verbose = false, signal } = {}) {
      const path = `/v2/conversations/${encodeURIComponent(conversationId)}${verbose ? '?verbose=true' : ''}`;
      const { status, json } = await request('GET', path, undefined, signal);
      const parsed = conversationAnswer.safeParse(json);
      if (!parsed.success)
        throw new TavusError(
          `Tavus's answer for ${conversationId} is not a conversation: ${parsed.error.issues[0]?.path.join('.') || '(body)'} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
          status,
        );
      return {
        conversationId: parsed.data.conversation_id,
        status: parsed.data.status ?? null,
        shutdownReason: parsed.data.shutdown_reason ?? null,
        events: parsed.data.events ?? [],
      };
    },
  };
}

/** Retry-After is seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Tavus says what went wrong in `error` (400s) or `message` (401). */
function tavusMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { error, message } = json as Record<string, unknown>;
  if (typeof error === 'string') return error;
  if (typeof message === 'string') return message;
  return undefined;
}
