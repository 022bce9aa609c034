import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readStreamStates } from '../../src/commands/recordCallback/loadStates.js';
import { evolve, initialStreamState } from '../../src/commands/recordCallback/state.js';
import { appendBatch } from '../../src/commands/appendBatch.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { useTestDatabase } from '../support/db.js';

// The batched query that loads a callback's state must say what folding the stream's events with
// evolve says, for any history: evolve defines the state, the query only reads it fast.

const db = useTestDatabase();

const metadata = { receivedAt: '2025-01-01T00:00:00.000Z', source: 'api' as const };

const eventOf = (streamId: string) =>
  fc.oneof(
    fc
      .record({
        id: fc.uuid({ version: 7 }),
        userId: fc.uuid({ version: 4 }),
        at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
      })
      .map(({ id, userId, at }): NewEvent => ({
        type: 'ConversationStarted',
        streamId,
        metadata,
        idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
        data: {
          id,
          userId,
          scenario: { id: userId, name: 'n', description: null, rubric: null },
          replicaId: null,
          personaId: null,
          conversationName: null,
          tavusConversationId: streamId.slice('conversation-'.length),
          conversationUrl: null,
          startedAt: at.toISOString(),
        },
      })),
    fc.constantFrom('participant_left', 'exception_encountered_during_conversation_startup').map((reason): NewEvent => {
      const data = { outcome: 'completed' as const, reason, at: null, startedAt: null, durationSeconds: null, participantName: null, participantLeftAt: null };
      return { type: 'ConversationEnded', streamId, metadata, idempotencyKey: idempotencyKey(streamId, 'ConversationEnded', data), data };
    }),
    fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }).map((words): NewEvent => {
      const data = { turns: words.map((content) => ({ role: 'user', content })), systemPromptRemoved: false };
      return { type: 'TranscriptReceived', streamId, metadata, idempotencyKey: idempotencyKey(streamId, 'TranscriptReceived', data), data };
    }),
  );

let run = 0;

describe('the state a callback is decided on', () => {
  it('read in one query equals folding each stream with evolve, for any history', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()), { maxLength: 12 }), async (picks) => {
        run++;
        const streams = [0, 1, 2, 3].map((i) => conversationStream(`p${run}-${i}`));
        // Each pick names a stream and a seed for that stream's next event.
        const events = picks.map(([s, seed]) => fc.sample(eventOf(streams[s]!), { numRuns: 1, seed })[0]!);
        // Appended one at a time, as callbacks would be: the history keeps the first of each fact.
        for (const e of events) await appendEvents(db.pool, [e]);
        const { rows } = await db.pool.query<{ stream_id: string; type: string; data: unknown }>(
          'SELECT stream_id, type, data FROM events WHERE stream_id = ANY($1::text[]) ORDER BY position',
          [streams],
        );
        const { streams: loaded } = await readStreamStates(db.pool, streams, []);
        for (const streamId of streams) {
          const folded = rows
            .filter((r) => r.stream_id === streamId)
            .reduce((state, r) => evolve(state, { type: r.type, data: r.data } as NewEvent), initialStreamState);
          expect(loaded.get(streamId) ?? initialStreamState).toEqual(folded);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('reads the stream a token is bound to', async () => {
    const token = '0197f8c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
    await appendBatch(db.pool, [], { claims: [{ token, streamId: 'conversation-bound' }] });
    // A later claim of the same token for another stream loses, and changes nothing.
    const second = await appendBatch(db.pool, [], { claims: [{ token, streamId: 'conversation-other' }] });
    expect([...second.lostClaims]).toEqual([`${token} conversation-other`]);
    const { bindings } = await readStreamStates(db.pool, [], [token, '0197f8c2-0000-7000-8000-000000000000']);
    expect(Object.fromEntries(bindings)).toEqual({ [token]: 'conversation-bound' });
  });
});
