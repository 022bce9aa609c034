import { z } from 'zod';

// The part of Tavus's REST API we call. Errors come back as values the command can map to 502.

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

export interface TavusClient {
  createConversation(request: CreateConversationRequest): Promise<CreatedConversation>;
}

export function createTavusClient(options: { apiUrl: string; apiKey: string | undefined; timeoutMs?: number }): TavusClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async createConversation(request) {
      if (!options.apiKey) throw new TavusError('TAVUS_API_KEY is not set, so no conversation can be created', undefined);
      const body = {
        replica_id: request.replicaId,
        persona_id: request.personaId,
        callback_url: request.callbackUrl,
        conversation_name: request.conversationName,
        conversational_context: request.conversationalContext,
        custom_greeting: request.customGreeting,
        properties: request.properties,
      };
      let response: Response;
      try {
        response = await fetch(`${options.apiUrl}/v2/conversations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new TavusError(timedOut ? `Tavus did not answer within ${timeoutMs / 1000} s` : `Tavus could not be reached: ${(err as Error).message}`, undefined);
      }
      const text = await response.text().catch(() => '');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!response.ok) {
        throw new TavusError(`Tavus answered ${response.status}: ${tavusMessage(json) ?? (text.slice(0, 200) || response.statusText)}`, response.status);
      }
      const parsed = createConversationAnswer.safeParse(json);
      if (!parsed.success) throw new TavusError('Tavus answered without a conversation_id', response.status);
      return {
        conversationId: parsed.data.conversation_id,
        conversationUrl: parsed.data.conversation_url ?? null,
        status: parsed.data.status ?? null,
      };
    },
  };
}

/** Tavus says what went wrong in `error` (400s) or `message` (401). */
function tavusMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { error, message } = json as Record<string, unknown>;
  if (typeof error === 'string') return error;
  if (typeof message === 'string') return message;
  return undefined;
}
