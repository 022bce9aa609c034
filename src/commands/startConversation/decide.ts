import { conversationStream, idempotencyKey } from '../../events/streams.js';
import type { EventData, NewEvent } from '../../events/types.js';
import type { CreatedConversation } from '../../tavus/client.js';
import type { StreamState } from '../recordCallback/state.js';

export interface StartConversationRequest {
  scenarioId: string;
  replicaId?: string;
  personaId?: string;
  conversationName?: string;
  conversationalContext?: string;
  customGreeting?: string;
  properties?: Record<string, unknown>;
}

export type Scenario = EventData<'ConversationStarted'>['scenario'];

export interface StartConversation {
  id: string;
  userId: string;
  scenario: Scenario;
  request: StartConversationRequest;
  tavus: CreatedConversation;
  now: Date;
}

/** Pure: the conversation Tavus created becomes a ConversationStarted, once. */
export function decide(state: StreamState, command: StartConversation): NewEvent[] {
  if (state.started) return [];
  const streamId = conversationStream(command.tavus.conversationId);
  const r = command.request;
  return [
    {
      type: 'ConversationStarted',
      streamId,
      idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
      metadata: { receivedAt: command.now.toISOString(), source: 'api' },
      data: {
        id: command.id,
        userId: command.userId,
        scenario: command.scenario,
        replicaId: r.replicaId ?? null,
        personaId: r.personaId ?? null,
        conversationName: r.conversationName ?? null,
        tavusConversationId: command.tavus.conversationId,
        conversationUrl: command.tavus.conversationUrl,
        startedAt: command.now.toISOString(),
      },
    },
  ];
}
