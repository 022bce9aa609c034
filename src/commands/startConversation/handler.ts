import type pg from 'pg';
import { uuid7 } from '../../events/uuid7.js';
import type { Keyring } from '../../privacy/keyring.js';
import { TavusError, type TavusClient } from '../../tavus/client.js';
import { isUuid } from '../../validation.js';
import type { CallbackTokens } from '../callbackToken.js';
import { GroupCommit, type GroupCommitOptions } from '../groupCommit.js';
import { readStreamStates } from '../recordCallback/loadStates.js';
import { initialStreamState, type StreamState } from '../recordCallback/state.js';
import type { Rejection } from '../rejections.js';
import { decide, streamOf, type Scenario, type StartConversation, type StartConversationRequest } from './decide.js';

export interface StartedAnswer {
  id: string;
  conversationId: string;
  conversationUrl: string | null;
  status: 'active';
}

/** Conversation starts through the one door (groupCommit.ts); `projectInline` writes their rows. */
export type ConversationStarts = GroupCommit<StartConversation, StreamState, Rejection, { id: string }>;

export function conversationStarts(pool: pg.Pool, keyring: Keyring, options: Pick<GroupCommitOptions, 'projectInline' | 'onAppended'>): ConversationStarts {
  return new GroupCommit(
    pool,
    keyring,
    {
      streamOf,
      async loadStates(db, commands) {
        const { streams } = await readStreamStates(db, commands.map(streamOf), []);
        return commands.map((c) => streams.get(streamOf(c)) ?? initialStreamState);
      },
      decide,
      claimLost: { reason: 'foreign_token' },
      unstorable: (detail) => ({ reason: 'invalid_value', detail }),
    },
    options,
  );
}

export interface StartConversationDeps {
  pool: pg.Pool;
  starts: ConversationStarts;
  tavus: TavusClient;
  tokens: CallbackTokens;
  publicUrl: string;
  now: () => Date;
}

export type StartOutcome = { ok: true; answer: StartedAnswer } | { ok: false; rejection: Rejection };

/** Asks Tavus for a conversation whose callbacks come back to us, and records that it started. */
export async function startConversation(deps: StartConversationDeps, userId: string, request: StartConversationRequest): Promise<StartOutcome> {
  const scenario = await loadScenario(deps.pool, request.scenarioId);
  if (!scenario) return { ok: false, rejection: { reason: 'unknown_scenario', scenarioId: request.scenarioId } };

  // Time-ordered, so the read models keyed by it grow at one end of their indexes; the token's
  // expiry is read from it too.
  const id = uuid7();
  const callbackUrl = `${deps.publicUrl}/webhooks/tavus/${deps.tokens.issue(id)}`;
  let tavus;
  try {
    tavus = await deps.tavus.createConversation({ ...request, callbackUrl });
  } catch (err) {
    // Nothing has been appended.
    if (err instanceof TavusError) return { ok: false, rejection: { reason: 'tavus_failed', detail: err.message } };
    throw err;
  }

  const outcome = await deps.starts.submit({ id, userId, scenario, request, tavus, now: deps.now() });
  if (outcome.outcome === 'rejected') return { ok: false, rejection: outcome.rejection };
  // Started already (Tavus answered with a conversation we know): the id it has.
  const answerId = outcome.reply?.id ?? id;
  return { ok: true, answer: { id: answerId, conversationId: tavus.conversationId, conversationUrl: tavus.conversationUrl, status: 'active' } };
}

async function loadScenario(pool: pg.Pool, scenarioId: string): Promise<Scenario | undefined> {
  if (!isUuid(scenarioId)) return undefined;
  const result = await pool.query<{ id: string; name: string; description: string | null; rubric: unknown }>(
    'SELECT id, name, description, rubric FROM scenarios WHERE id = $1',
    [scenarioId],
  );
  const row = result.rows[0];
  return row && { id: row.id, name: row.name, description: row.description, rubric: row.rubric ?? null };
}
