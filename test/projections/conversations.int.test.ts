import { describe, expect, it } from 'vitest';
import { testKeyring } from '../support/keys.js';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { conversationsProjection } from '../../src/projections/readModels/conversations.js';
import type { Projection } from '../../src/projections/runtime/projection.js';
import { useTestDatabase } from '../support/db.js';
import { projectionSpec } from '../support/projectionSpec.js';

// The conversations read model, stated as history in and rows out, on real Postgres.

const db = useTestDatabase();

const metadata = { receivedAt: '2025-07-11T06:40:00.000Z', source: 'api' as const };
let n = 0;

function conversation(overrides: { token?: string } = {}) {
  const tavusId = `spec-${++n}`;
  const streamId = conversationStream(tavusId);
  const id = `0197f8c2-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const fact = (e: Omit<NewEvent, 'streamId' | 'idempotencyKey' | 'metadata'>, extra: Partial<NewEvent['metadata']> = {}): NewEvent =>
    ({ ...e, streamId, metadata: { ...metadata, ...extra }, idempotencyKey: idempotencyKey(streamId, e.type, e.data) }) as NewEvent;
  const started = fact({
    type: 'ConversationStarted',
    data: {
      id,
      userId: '9a1b2c3d-0000-4000-8000-000000000001',
      scenario: { id: '3c2b1a00-0000-4000-8000-000000000002', name: 's', description: null, rubric: null },
      replicaId: null,
      personaId: null,
      conversationName: null,
      tavusConversationId: tavusId,
      conversationUrl: null,
      startedAt: '2025-07-11T06:40:00.000Z',
    },
  });
  const ended = (at: string | null, reason: string, extra = {}) =>
    fact(
      {
        type: 'ConversationEnded',
        data: {
          outcome: /exception/.test(reason) ? 'failed' : 'completed',
          reason,
          at,
          startedAt: null,
          durationSeconds: null,
          participantName: null,
          participantLeftAt: null,
        },
      },
      extra,
    );
  return { tavusId, id, started, ended, token: overrides.token };
}

const STATUS = 'SELECT status, ended_at FROM conversations WHERE conversation_id = $1';

describe('the conversations read model', () => {
  it('ends at the earliest end, failed if any end says so, and the same when applied twice', async () => {
    const c = conversation();
    await projectionSpec(db.pool, [conversationsProjection(testKeyring())])
      .given([
        c.started,
        c.ended('2025-07-11T07:10:00+02:00', 'participant_left'),
        c.ended('2025-07-11T06:50:00Z', 'exception_encountered_during_conversation_startup'),
      ])
      // 07:10+02:00 is 05:10Z: the earliest as an instant, not as a string.
      .thenTwice(STATUS, [c.tavusId], [{ status: 'failed', ended_at: new Date('2025-07-11T05:10:00Z') }]);
  });

  it('leaves out the facts a foreign callback token brought', async () => {
    const c = conversation();
    await projectionSpec(db.pool, [conversationsProjection(testKeyring())])
      .given([c.started, c.ended('2025-07-11T06:45:00Z', 'participant_left', { tokenConversationId: '0197f8c2-ffff-7000-8000-000000000000' })])
      .then(STATUS, [c.tavusId], [{ status: 'active', ended_at: null }]);
  });

  it('writes no row before the start is known', async () => {
    const c = conversation();
    await projectionSpec(db.pool, [conversationsProjection(testKeyring())])
      .given([c.ended('2025-07-11T06:45:00Z', 'participant_left')])
      .then(STATUS, [c.tavusId], []);
  });
});

describe('the projection spec itself', () => {
  it('fails when the rows differ, and when applying twice changes them', async () => {
    const c = conversation();
    const spec = projectionSpec(db.pool, [conversationsProjection(testKeyring())]);
    await expect(spec.given([c.started]).then(STATUS, [c.tavusId], [{ status: 'completed', ended_at: null }])).rejects.toThrow();
    // A projection that counts what it was given is not idempotent: the spec must notice.
    await db.pool.query('CREATE TABLE IF NOT EXISTS spec_counter (n int)');
    const counting: Projection = {
      name: 'spec-counting',
      apply: async (client, events) => void (await client.query('INSERT INTO spec_counter SELECT 1 FROM generate_series(1, $1)', [events.length])),
    };
    const d = conversation();
    await expect(
      projectionSpec(db.pool, [counting])
        .given([d.started])
        .thenTwice('SELECT count(*)::int AS n FROM spec_counter', [], [{ n: 1 }]),
    ).rejects.toThrow();
  });
});
