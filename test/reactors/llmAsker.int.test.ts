import pg from 'pg';
import { testKeyring } from '../support/keys.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRecordedEvent } from '../../src/commands/recordAnalysis.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationsProjection } from '../../src/projections/readModels/conversations.js';
import { ensureCheckpoints } from '../../src/projections/runtime/checkpoints.js';
import { ProjectionRunner } from '../../src/projections/runtime/runner.js';
import { Asker } from '../../src/reactors/llmAnalysis/asker.js';
import { readAwaitingAnswers } from '../../src/reactors/llmAnalysis/awaitingAnswers.js';
import { createLlmClient } from '../../src/reactors/llmAnalysis/client.js';
import { LLM_LEASE, startLlmReactor } from '../../src/reactors/llmAnalysis/startLlmReactor.js';
import { readLeaseHolder } from '../../src/reactors/leaseRows.js';
import { createTestDatabase } from '../support/db.js';
import { transcribedConversation } from '../support/events.js';
import { startLlmStandIn, type LlmStandIn } from '../support/llmStandIn.js';

// The asker and the lease against a real Postgres: the moments the end-to-end tests cannot pin down.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
let standIn: LlmStandIn;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  standIn = await startLlmStandIn();
  await ensureCheckpoints(pool, ['conversations']);
});
afterAll(async () => {
  await pool.end();
  await standIn.close();
  await database.drop();
});

const project = () => new ProjectionRunner(pool, { projections: async () => [conversationsProjection(testKeyring())] }).drain();

function asker() {
  const client = createLlmClient({
    baseUrl: standIn.baseUrl,
    apiKey: standIn.apiKey,
    model: standIn.model,
    concurrency: 2,
    requestsPerSecond: 1000,
    timeoutMs: 5_000,
  });
  return new Asker({ pool, keyring: testKeyring(), client, prompt: { maxPromptTokens: 16_000 } });
}

describe('the llm@1 asker', () => {
  it('does not ask again for a transcript answered a moment ago, before the projection folds the answer in', async () => {
    const events = transcribedConversation('asker-a');
    await appendEvents(pool, events);
    await project();
    const [awaiting] = await readAwaitingAnswers(pool, { limit: 10 });
    expect(awaiting!.stream_id).toBe('conversation-asker-a');

    // Another instance answered it; its event is in the history, not yet in feedback_inputs.
    await appendEvents(pool, [
      analysisRecordedEvent({
        tavusConversationId: 'asker-a',
        transcriptKey: events[1]!.idempotencyKey,
        recording: { analyzer: 'llm@1', model: standIn.model, servedModel: null, promptSha256: 'x', answer: {}, usage: null, latencyMs: 1, attempts: 1 },
        answeredAt: new Date(),
      }),
    ]);
    expect((await readAwaitingAnswers(pool, { limit: 10 })).length).toBe(1);
    const a = asker();
    expect(await a.fill(new AbortController().signal)).toBe(0);
    expect(standIn.requests.length).toBe(0);

    // Folded in, it is not awaiting at all; a new conversation is, and is asked about once.
    await appendEvents(pool, transcribedConversation('asker-b'));
    await project();
    expect((await readAwaitingAnswers(pool, { limit: 10 })).map((r) => r.stream_id)).toEqual(['conversation-asker-b']);
    expect(await a.fill(new AbortController().signal)).toBe(1);
    await a.idle();
    await project();
    expect(await readAwaitingAnswers(pool, { limit: 10 })).toEqual([]);
    expect(standIn.requests.length).toBe(1);
  });

  it('asks nothing about a transcript in which the person said nothing', async () => {
    const requests = standIn.requests.length;
    const [started, transcript] = transcribedConversation('asker-silent');
    if (transcript!.type !== 'TranscriptReceived') throw new Error('expected a transcript');
    // Only the replica spoke: the projection knows it without llm@1.
    const replicaOnly = {
      ...transcript!,
      data: { turns: [{ role: 'assistant', content: 'Hello?' }], systemPromptRemoved: true },
      idempotencyKey: 'conversation-asker-silent/t1',
    };
    // A user row with nothing said in it (markup only, as older transcripts could hold): llm@1 finds it silent.
    const [started2, transcript2] = transcribedConversation('asker-markup');
    const markupOnly = {
      ...transcript2!,
      data: { turns: [{ role: 'user', content: '<break time="1s"/>' }], systemPromptRemoved: true },
      idempotencyKey: 'conversation-asker-markup/t1',
    };
    await appendEvents(pool, [started!, replicaOnly, started2!, markupOnly]);
    await project();
    expect((await readAwaitingAnswers(pool, { limit: 10 })).map((r) => r.stream_id)).toEqual(['conversation-asker-markup']);
    const a = asker();
    expect(await a.fill(new AbortController().signal)).toBe(1);
    await a.idle();
    // Found silent once, it is not read again by this asker, and no model was asked.
    expect(await a.fill(new AbortController().signal)).toBe(0);
    expect(standIn.requests.length).toBe(requests);
  });

  it('runs the reactor in one instance at a time, and another takes over when it stops', async () => {
    const config = {
      baseUrl: standIn.baseUrl,
      apiKey: standIn.apiKey,
      model: standIn.model,
      concurrency: 2,
      requestsPerSecond: 1000,
      maxPromptTokens: 16_000,
      timeoutMs: 5_000,
    };
    const log = pino({ level: 'silent' });
    // Renewed every 600 ms: the second takes over at its next try after the first gives the lease back.
    const first = await startLlmReactor({ url: database.url, pooled: false, keyring: testKeyring() }, config, log, 'first', { leaseTtlMs: 3_000 });
    const second = await startLlmReactor({ url: database.url, pooled: false, keyring: testKeyring() }, config, log, 'second', { leaseTtlMs: 3_000 });
    try {
      expect([first.lease!.held, second.lease!.held]).toEqual([true, false]);
      expect((await readLeaseHolder(pool, LLM_LEASE))?.owner).toBe('first');
      await first.stop();
      await second.lease!.whenHeld();
      expect((await readLeaseHolder(pool, LLM_LEASE))?.owner).toBe('second');
    } finally {
      await second.stop();
    }
    expect(await readLeaseHolder(pool, LLM_LEASE)).toBeUndefined();
  });
});
