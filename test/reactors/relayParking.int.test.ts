import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationStream } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { listDeadLetters, requestRetry } from '../../src/projections/runtime/deadLetters.js';
import { kurrentStreams, type StreamStore } from '../../src/reactors/relay/kurrentStreams.js';
import { RELAY_DEAD_LETTERS } from '../../src/reactors/relay/parkedStreams.js';
import { Relay } from '../../src/reactors/relay/relay.js';
import { createTestDatabase } from '../support/db.js';
import { startKurrentDbStandIn, type KurrentDbStandIn } from '../support/kurrentDbStandIn/server.js';
import { expectedStreams, ignored, publishedStreams, tavusIdPrefix } from '../support/relayHistory.js';

// A stream KurrentDB refuses for good must not stop the relay for everyone: here an event over the
// server's MaxAppendSize (the stand-in's limit is set low; a real server's cannot be changed while
// it runs). The stream is parked, the others flow, its later events wait with it, and a retry
// after the limit is raised publishes it in order.

const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const LIMIT = 4_096;

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
let standIn: KurrentDbStandIn;
let store: StreamStore;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url);
  standIn = await startKurrentDbStandIn({ maxAppendSize: LIMIT });
  store = kurrentStreams(standIn.url);
});
afterAll(async () => {
  await store.close();
  await standIn.close();
  await pool.end();
  await database.drop();
});

const callback = (tavusId: string, n: number, bytes = 100) => ignored(tavusId, n, bytes);

async function append(events: NewEvent[]): Promise<void> {
  await appendEvents(pool, events);
}

const ids = (streams: Map<string, string[]>, tavusId: string) => streams.get(conversationStream(tavusId)) ?? [];

describe('the relay and a stream KurrentDB refuses', () => {
  it('parks the stream, keeps the others flowing, holds its later events back, and publishes it in order after a retry', async () => {
    const prefix = tavusIdPrefix();
    const [big, b, c] = [`${prefix}big`, `${prefix}b`, `${prefix}c`];
    const relay = new Relay(pool, store, { logger: silent, batchSize: 50 });
    await append([callback(big, 1), callback(b, 1), callback(c, 1)]);
    await append([callback(big, 2, 2 * LIMIT), callback(b, 2), callback(c, 2)]);
    await relay.drain();

    const expected = await expectedStreams(pool, prefix);
    let published = await publishedStreams(store, expected.keys());
    expect(ids(published, b)).toEqual(ids(expected, b));
    expect(ids(published, c)).toEqual(ids(expected, c));
    expect(ids(published, big)).toEqual(ids(expected, big).slice(0, 1));
    const parked = (await listDeadLetters(pool)).filter((d) => d.projection === RELAY_DEAD_LETTERS);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ streamId: conversationStream(big), attempts: 1 });
    expect(parked[0]!.error).toContain(`MaxAppendSize of ${LIMIT} bytes`);
    const { rows } = await pool.query<{ position: string }>('SELECT position FROM events WHERE stream_id = $1 ORDER BY position', [conversationStream(big)]);
    expect(parked[0]!.failedPosition).toBe(rows[1]!.position);

    // Later events: the parked stream's wait, the others' go.
    await append([callback(big, 3), callback(b, 3)]);
    await relay.drain();
    published = await publishedStreams(store, expected.keys());
    expect(ids(published, b)).toHaveLength(3);
    expect(ids(published, big)).toHaveLength(1);

    // Asked again before the limit is raised: refused again, still parked, nothing more published.
    await requestRetry(pool, conversationStream(big));
    await relay.drain();
    expect((await listDeadLetters(pool)).find((d) => d.projection === RELAY_DEAD_LETTERS)).toMatchObject({ attempts: 2, retryRequested: false });
    expect(ids(await publishedStreams(store, [conversationStream(big)]), big)).toHaveLength(1);

    // The operator raises MaxAppendSize and asks again: the whole stream, in order, once.
    standIn.limits.maxAppendSize = 1_048_576;
    await requestRetry(pool, conversationStream(big));
    await relay.drain();
    await append([callback(big, 4)]);
    await relay.drain();
    const all = await expectedStreams(pool, prefix);
    expect(await publishedStreams(store, all.keys())).toEqual(all);
    expect((await listDeadLetters(pool)).filter((d) => d.projection === RELAY_DEAD_LETTERS)).toEqual([]);
    // Parked twice (refused, then refused again on the first retry), published after the second;
    // every event sent once, but for the parked stream's first, which its retry sent again.
    const events = [...all.values()].reduce((n, list) => n + list.length, 0);
    expect(relay.metrics()).toEqual({ publishedEvents: events + 1, failedBatches: 0, parkedStreams: 2, unparkedStreams: 1 });
  });

  it('sends events that only together exceed MaxAppendSize one append each, parking nothing', async () => {
    const prefix = tavusIdPrefix();
    const tavusId = `${prefix}many`;
    standIn.limits.maxAppendSize = LIMIT;
    const relay = new Relay(pool, store, { logger: silent, batchSize: 50 });
    const before = standIn.appends.batchAppend;
    await append([callback(tavusId, 1, LIMIT / 2), callback(tavusId, 2, LIMIT / 2), callback(tavusId, 3, LIMIT / 2)]);
    await relay.drain();
    const expected = await expectedStreams(pool, prefix);
    expect(await publishedStreams(store, expected.keys())).toEqual(expected);
    // The refused append of all three, then one each.
    expect(standIn.appends.batchAppend - before).toBe(4);
    expect((await listDeadLetters(pool)).filter((d) => d.projection === RELAY_DEAD_LETTERS && d.streamId.includes(prefix))).toEqual([]);
  });

  it('hears the limit from a server without batch appends too', async () => {
    const legacy = await startKurrentDbStandIn({ maxAppendSize: LIMIT, batchAppend: false });
    const direct = kurrentStreams(legacy.url);
    try {
      const event = { id: '0c7c5f0e-7f44-4f0a-9a0e-4e0cb1d6a001', type: 'CallbackIgnored', data: { note: 'x'.repeat(2 * LIMIT) }, metadata: {} };
      expect(await direct.append('conversation-legacy', [event as never], 'no_stream')).toEqual({ status: 'too large', maxAppendSize: LIMIT });
      expect(legacy.appends.append).toBe(1);
    } finally {
      await direct.close();
      await legacy.close();
    }
  });
});
