import { conversationStream, idempotencyKey } from '../../events/streams.js';
import type { EventData, NewEvent } from '../../events/types.js';
import type { Decision } from '../groupCommit.js';
import type { Rejection } from '../rejections.js';
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

export function streamOf(command: StartConversation): string {
  return conversationStream(command.tavus.conversationId);
}

/**
 * Pure: the conversation Tavus created becomes a ConversationStarted, once, and its callback token
 * opens this stream and no other from now on. The creator reads the conversation right after the
 * 201, so its row is written with the event. Started already: nothing new, and the id it has.
 */
export function decide(state: StreamState, command: StartConversation): Decision<Rejection, { id: string }> {
  const streamId = streamOf(command);
  const claim = { token: command.id, streamId };
  if (state.started) return { accepted: true, events: [], readYourWrites: true, reply: { id: state.started.id } };
  const r = command.request;
  const events: NewEvent[] = [
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
  return { accepted: true, events, claim, readYourWrites: true, reply: { id: command.id } };
}
