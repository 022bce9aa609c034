import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { kurrentEventId } from '../../src/reactors/relay/eventId.js';
import type { StreamStore } from '../../src/reactors/relay/kurrentStreams.js';

// Histories for relay tests, and what KurrentDB must hold for them: each stream's events, in commit
// order, each once.

/** Tavus ids no other test (nor an earlier run against a shared KurrentDB) uses. */
export function tavusIdPrefix(): string {
  return `relay-${randomBytes(5).toString('hex')}-`;
}

function started(tavusId: string, ourId: string = randomUUID()): NewEvent {
  const streamId = conversationStream(tavusId);
  return {
    type: 'ConversationStarted',
    streamId,
    idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
    metadata: { receivedAt: '2025-01-01T00:00:00.000Z', source: 'api' },
    data: {
      id: ourId,
      userId: randomUUID(),
      scenario: { id: randomUUID(), name: 's', description: null, rubric: null },
      replicaId: null,
      personaId: null,
      conversationName: null,
      tavusConversationId: tavusId,
      conversationUrl: null,
      startedAt: new Date().toISOString(),
    },
  };
}

/** A callback kept as ignored, the `n`th of its stream; `noteBytes` makes it that much larger. */
export function ignored(tavusId: string, n: number, noteBytes = 0): NewEvent {
  const streamId = conversationStream(tavusId);
  const properties = { n, note: noteBytes > 0 ? 'x'.repeat(noteBytes) : `callback ${n} of ${tavusId}` };
  return {
    type: 'CallbackIgnored',
    streamId,
    idempotencyKey: idempotencyKey(streamId, 'CallbackIgnored', properties),
    metadata: { receivedAt: '2025-01-01T00:00:00.000Z', source: 'tavus-callback', callbackType: 'test.unknown' },
    data: { eventType: 'test.unknown', reason: 'unknown event type', properties },
  };
}

/**
 * `conversations` streams of `eventsEach` events, appended round by round (one statement a round),
 * so every stream's events lie in several transactions, between other streams' events.
 */
export async function appendConversations(pool: pg.Pool, prefix: string, conversations: number, eventsEach: number, firstRound = 0): Promise<void> {
  for (let round = firstRound; round < firstRound + eventsEach; round++) {
    for (let from = 0; from < conversations; from += 2_000) {
      const events: NewEvent[] = [];
      for (let c = from; c < Math.min(conversations, from + 2_000); c++) {
        const tavusId = `${prefix}${c}`;
        events.push(round === 0 ? started(tavusId) : ignored(tavusId, round));
      }
      await appendEvents(pool, events);
    }
  }
}

/** Starts for conversations of our own ids, so that callbacks on their token URLs are accepted. */
export async function appendStarts(pool: pg.Pool, conversations: { id: string; tavusId: string }[]): Promise<void> {
  await appendEvents(
    pool,
    conversations.map((c) => started(c.tavusId, c.id)),
  );
}

/** What KurrentDB must hold: each stream's event ids in commit order. */
export async function expectedStreams(pool: pg.Pool, prefix: string): Promise<Map<string, string[]>> {
  const { rows } = await pool.query<{ stream_id: string; idempotency_key: string }>(
    'SELECT stream_id, idempotency_key FROM events WHERE stream_id LIKE $1 ORDER BY transaction_id, position',
    [`${conversationStream(prefix)}%`],
  );
  const streams = new Map<string, string[]>();
  for (const r of rows) {
    const ids = streams.get(r.stream_id) ?? [];
    ids.push(kurrentEventId(r.idempotency_key));
    streams.set(r.stream_id, ids);
  }
  return streams;
}

/** What KurrentDB holds for those streams. */
export async function publishedStreams(store: StreamStore, streams: Iterable<string>): Promise<Map<string, string[]>> {
  const published = new Map<string, string[]>();
  const names = [...streams];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++]!;
        published.set(name, await store.readIds(name));
      }
    }),
  );
  return published;
}
