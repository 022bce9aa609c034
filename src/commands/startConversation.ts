import type pg from 'pg';
import { appendEvents } from '../events/appendEvents.js';
import { readStartedConversations, type StartedConversation } from '../events/readStartedConversations.js';
import { conversationStream, idempotencyKey } from '../events/streams.js';
import { uuid7 } from '../events/uuid7.js';
import type { EventData, NewEvent } from '../events/types.js';
import type { CreatedConversation, TavusClient } from '../tavus/client.js';
import type { CallbackTokens } from './callbackToken.js';

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
export function decideStart(started: StartedConversation | undefined, command: StartConversation): NewEvent[] {
  if (started) return [];
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

export class UnknownScenarioError extends Error {
  override name = 'UnknownScenarioError';
}

export interface StartedAnswer {
  id: string;
  conversationId: string;
  conversationUrl: string | null;
  status: 'active';
}

export interface StartConversationDeps {
  pool: pg.Pool;
  tavus: TavusClient;
  tokens: CallbackTokens;
  publicUrl: string;
  now: () => Date;
}

/** Asks Tavus for a conversation whose callbacks come back to us, and records that it started. */
export async function startConversation(deps: StartConversationDeps, userId: string, request: StartConversationRequest): Promise<StartedAnswer> {
  const scenario = await loadScenario(deps.pool, request.scenarioId);
  if (!scenario) throw new UnknownScenarioError(`scenario ${request.scenarioId} does not exist`);

  // Time-ordered, so the read models keyed by it grow at one end of their indexes.
  const id = uuid7();
  const callbackUrl = `${deps.publicUrl}/webhooks/tavus/${deps.tokens.issue(id)}`;
  // TavusError propagates: nothing has been appended, and the edge answers 502.
  const tavus = await deps.tavus.createConversation({ ...request, callbackUrl });

  const streamId = conversationStream(tavus.conversationId);
  const started = (await readStartedConversations(deps.pool, [streamId])).get(streamId);
  const events = decideStart(started, { id, userId, scenario, request, tavus, now: deps.now() });
  await appendEvents(deps.pool, events);
  return { id: started?.id ?? id, conversationId: tavus.conversationId, conversationUrl: tavus.conversationUrl, status: 'active' };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadScenario(pool: pg.Pool, scenarioId: string): Promise<Scenario | undefined> {
  if (!UUID.test(scenarioId)) return undefined;
  const result = await pool.query<{ id: string; name: string; description: string | null; rubric: unknown }>(
    'SELECT id, name, description, rubric FROM scenarios WHERE id = $1',
    [scenarioId],
  );
  const row = result.rows[0];
  return row && { id: row.id, name: row.name, description: row.description, rubric: row.rubric ?? null };
}
