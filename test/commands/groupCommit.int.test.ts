import { describe, expect, it } from 'vitest';
import { testKeyring } from '../support/keys.js';
const keyring = testKeyring();
import { BatcherFullError } from '../../src/events/batcher.js';
import { GroupCommit, type GroupCommitCommand } from '../../src/commands/groupCommit.js';
import { idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { useTestDatabase } from '../support/db.js';

// Group commit itself, with a small command of its own: batching, one request's failure staying its
// own, the queue's bound and token claims decided inside and across batches.

const db = useTestDatabase();

interface Note {
  streamId: string;
  text: string;
  claim?: string;
  explode?: boolean;
}

type Refusal = { reason: 'claim lost' } | { reason: 'bad'; detail: string };

const noteEvent = (n: Note): NewEvent => {
  const data = { analysis: n.text };
  return {
    type: 'PerceptionAnalysisReceived',
    streamId: n.streamId,
    data,
    metadata: { receivedAt: new Date(0).toISOString(), source: 'api' },
    idempotencyKey: idempotencyKey(n.streamId, 'note', data),
  };
};

function notes(loads: number[]): GroupCommitCommand<Note, number, Refusal> {
  return {
    streamOf: (n) => n.streamId,
    async loadStates(db, commands) {
      loads.push(commands.length);
      const { rows } = await db.query<{ stream_id: string; n: number }>(
        'SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id = ANY($1::text[]) GROUP BY 1',
        [commands.map((c) => c.streamId)],
      );
      return commands.map((c) => rows.find((r) => r.stream_id === c.streamId)?.n ?? 0);
    },
    decide(_state, n) {
      if (n.explode) throw new Error('boom');
      return { accepted: true, events: [noteEvent(n)], ...(n.claim ? { claim: { token: n.claim, streamId: n.streamId } } : {}) };
    },
    claimLost: { reason: 'claim lost' },
    unstorable: (detail) => ({ reason: 'bad', detail }),
  };
}

const count = async (streamId: string) => (await db.pool.query('SELECT 1 FROM events WHERE stream_id = $1', [streamId])).rowCount;

describe('group commit', () => {
  it('batches concurrent requests: one state read and one append for many, each answered on its own', async () => {
    const loads: number[] = [];
    const group = new GroupCommit(db.pool, keyring, notes(loads), { maxBatch: 50, maxInFlight: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, (_, i) => group.submit({ streamId: `conversation-batch-${(i % 60) % 7}`, text: `n${i % 60}` })),
    );
    // 120 requests in far fewer reads than requests, never more than a batch at a time.
    expect(loads.reduce((a, b) => a + b, 0)).toBe(120);
    expect(loads.length).toBeLessThan(10);
    expect(Math.max(...loads)).toBeLessThanOrEqual(50);
    // Requests 60..119 repeat the facts of 0..59: recorded, appending nothing.
    expect(outcomes.filter((o) => o.outcome === 'recorded' && o.appended === 1)).toHaveLength(60);
    expect(outcomes.filter((o) => o.outcome === 'recorded' && o.appended === 0)).toHaveLength(60);
  });

  it('keeps a failure to decide or to store one request its own', async () => {
    const group = new GroupCommit(db.pool, keyring, notes([]), { maxBatch: 50, maxInFlight: 1 });
    const [good, exploded, unstorable, alsoGood] = await Promise.all([
      group.submit({ streamId: 'conversation-iso-a', text: 'fine' }),
      group.submit({ streamId: 'conversation-iso-b', text: 'x', explode: true }),
      group.submit({ streamId: 'conversation-iso-c', text: 'bad \ud800 text' }),
      group.submit({ streamId: 'conversation-iso-d', text: 'also fine' }),
    ]);
    expect(good).toMatchObject({ outcome: 'recorded', appended: 1 });
    expect(alsoGood).toMatchObject({ outcome: 'recorded', appended: 1 });
    expect(exploded).toMatchObject({ outcome: 'rejected', rejection: { reason: 'bad', detail: expect.stringContaining('boom') } });
    expect(unstorable).toMatchObject({ outcome: 'rejected', rejection: { reason: 'bad', detail: expect.stringContaining('surrogate') } });
    expect([await count('conversation-iso-b'), await count('conversation-iso-c')]).toEqual([0, 0]);
  });

  it('refuses at once, without queueing, when too many requests wait', async () => {
    const group = new GroupCommit(db.pool, keyring, notes([]), { maxBatch: 1, maxInFlight: 1, maxQueued: 3 });
    const submitted = Array.from({ length: 6 }, (_, i) =>
      group.submit({ streamId: 'conversation-full', text: `q${i}` }).then(
        () => 'ok',
        (err: unknown) => err,
      ),
    );
    const results = await Promise.all(submitted);
    // One is being written, three wait, the rest are turned away.
    expect(results.filter((r) => r === 'ok')).toHaveLength(4);
    expect(results.filter((r) => r instanceof BatcherFullError)).toHaveLength(2);
  });

  it('lets a token claim one stream only: inside a batch and between racing batches', async () => {
    const token = '0197f8c2-aaaa-7c3d-8e4f-5a6b7c8d9e0f';
    const a = new GroupCommit(db.pool, keyring, notes([]), { maxBatch: 10, maxInFlight: 1 });
    const b = new GroupCommit(db.pool, keyring, notes([]), { maxBatch: 10, maxInFlight: 1 });
    const outcomes = await Promise.all([
      a.submit({ streamId: 'conversation-claim-1', text: 'one', claim: token }),
      a.submit({ streamId: 'conversation-claim-2', text: 'two', claim: token }),
      b.submit({ streamId: 'conversation-claim-3', text: 'three', claim: token }),
      b.submit({ streamId: 'conversation-claim-1', text: 'four', claim: token }),
    ]);
    const { rows } = await db.pool.query<{ stream_id: string }>('SELECT stream_id FROM token_bindings WHERE token = $1', [token]);
    const bound = rows[0]!.stream_id;
    // Every request for the bound stream went in; every other was refused and appended nothing.
    outcomes.forEach((o, i) => {
      const stream = ['conversation-claim-1', 'conversation-claim-2', 'conversation-claim-3', 'conversation-claim-1'][i];
      expect(o.outcome, `request ${i} for ${stream}`).toBe(stream === bound ? 'recorded' : 'rejected');
    });
    const others = ['conversation-claim-1', 'conversation-claim-2', 'conversation-claim-3'].filter((s) => s !== bound);
    for (const s of others) expect(await count(s)).toBe(0);
  });
});
