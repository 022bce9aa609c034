import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { exampleCallback } from '../support/callbacks.js';

// Any order, any repetition, same end state: every permutation of the four end-of-conversation
// callbacks, each conversation also getting repeats, must produce the same rows and the same facts.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const TYPES = ['system.shutdown', 'application.transcription_ready', 'application.recording_ready', 'application.perception_analysis'] as const;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function callback(type: (typeof TYPES)[number], conversationId: string) {
  const body = exampleCallback(type, conversationId);
  // Same recording location for all, so rows can be compared across conversations.
  const props = body.properties as Record<string, unknown>;
  if ('s3_key' in props) props.s3_key = 'same.mp4';
  return body;
}

/** What must not depend on arrival order: the rows without ids and wall-clock times. */
async function endState(id: string) {
  const conversation = await h.db.query('SELECT status, ended_at, recording_url, tavus_metadata FROM conversations WHERE id = $1', [id]);
  const feedback = await h.db.query(
    'SELECT score, duration, completed_at, transcript, analysis, analyzer, analyzer_version FROM feedback_sessions WHERE conversation_id = $1',
    [id],
  );
  return { conversation: conversation.rows[0], feedback: feedback.rows[0] };
}

async function eventTypes(conversationId: string) {
  const result = await h.db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY type', [`conversation-${conversationId}`]);
  return result.rows.map((r) => r.type);
}

describe('callbacks in any order, any number of times', () => {
  it('end in the same read models and append each fact once', async () => {
    const orders = permutations(TYPES);
    expect(orders).toHaveLength(24);
    const user = randomUUID();
    const conversations = [];
    for (const [i, order] of orders.entries()) {
      const c = await h.startConversation(user);
      // Every third conversation gets each callback twice more, interleaved.
      const deliveries = i % 3 === 0 ? [...order, ...order.slice().reverse(), ...order] : order;
      for (const type of deliveries) {
        const response = await h.post(callbackPath(c.callbackUrl), callback(type, c.conversationId));
        expect(response.status).toBe(200);
      }
      conversations.push(c);
    }
    await h.service.runner.drain();

    const reference = await endState(conversations[0]!.id);
    expect(reference.conversation.status).toBe('completed');
    expect(reference.feedback.transcript).toHaveLength(10);
    for (const c of conversations) {
      expect(await endState(c.id)).toEqual(reference);
      expect(await eventTypes(c.conversationId)).toEqual([
        'ConversationEnded',
        'ConversationStarted',
        'PerceptionAnalysisReceived',
        'RecordingReady',
        'TranscriptReceived',
      ]);
    }
  });

  it('appends once when 20 identical deliveries race', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const body = JSON.stringify(callback('application.transcription_ready', c.conversationId));
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.post(callbackPath(c.callbackUrl), body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const answers = await Promise.all(responses.map(json));
    expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);
    expect(await eventTypes(c.conversationId)).toEqual(['ConversationStarted', 'TranscriptReceived']);

    // Every delivery is kept for the audit, and exactly one of them produced the event.
    const deliveries = await h.db.query(
      `SELECT c.id, count(e.position)::int AS produced
         FROM callbacks c LEFT JOIN events e ON e.metadata->>'callbackId' = c.id::text
        WHERE c.stream_id = $1 GROUP BY c.id`,
      [`conversation-${c.conversationId}`],
    );
    expect(deliveries.rows).toHaveLength(20);
    expect(deliveries.rows.filter((r) => r.produced === 1)).toHaveLength(1);
  });

  it('accepts callbacks that race ahead of the start record, and binds the token to that one conversation', async () => {
    const user = randomUUID();
    const early: Response[] = [];
    h.tavus.beforeNextAnswer(async ({ body, answer }) => {
      // Tavus calls back before our POST /conversations has heard its answer, let alone recorded it.
      const path = callbackPath(String(body.callback_url));
      early.push(await h.post(path, callback('system.shutdown', answer.conversation_id)));
      early.push(await h.post(path, callback('system.shutdown', `${answer.conversation_id}x`)));
    });
    const c = await h.startConversation(user);
    expect(early.map((r) => r.status)).toEqual([200, 401]);
    expect(await eventTypes(c.conversationId)).toEqual(['ConversationEnded', 'ConversationStarted']);
    expect(await eventTypes(`${c.conversationId}x`)).toEqual([]);
    // After the start, the token still opens nothing else.
    expect((await h.post(callbackPath(c.callbackUrl), callback('system.shutdown', 'c-elsewhere'))).status).toBe(401);
    await h.service.runner.drain();
    const row = await h.db.query('SELECT status FROM conversations WHERE conversation_id = $1', [c.conversationId]);
    expect(row.rows[0]?.status).toBe('completed');
  });
});
