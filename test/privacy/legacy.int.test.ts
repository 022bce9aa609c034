import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { eraseConversation } from '../../src/privacy/erase.js';
import { projectConversations } from '../../src/projections/readModels/conversations.js';
import { inTransaction } from '../../src/db/transaction.js';
import { useTestDatabase } from '../support/db.js';
import { testKeyring } from '../support/keys.js';

// A conversation recorded before sealing existed has its personal fields in the clear, in events
// and in callback bodies. Erasing it overwrites exactly those in place (the one change the history
// allows, and only inside an erasure), keeping every event, its type, time and clear fields.

const db = useTestDatabase();

describe('erasing a conversation recorded in the clear', () => {
  it('overwrites its personal fields and bodies, keeps its events, and leaves the history append-only', async () => {
    const tavusId = `legacy-${randomUUID()}`;
    const streamId = conversationStream(tavusId);
    const id = randomUUID();
    const marker = `MARK${randomUUID().slice(0, 8)}`;
    const metadata = { receivedAt: '2025-01-01T00:00:00Z', source: 'tavus-callback' as const, callbackSha256: 'plain-digest' };
    const events: NewEvent[] = [
      {
        type: 'ConversationStarted',
        data: {
          id,
          userId: randomUUID(),
          scenario: { id: randomUUID(), name: 's', description: null, rubric: null },
          replicaId: null,
          personaId: null,
          conversationName: `name ${marker}`,
          tavusConversationId: tavusId,
          conversationUrl: null,
          startedAt: '2025-01-01T00:00:00Z',
        },
        streamId,
        idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
        metadata,
      },
      {
        type: 'TranscriptReceived',
        data: { turns: [{ role: 'user', content: `I said ${marker}` }], systemPromptRemoved: false },
        streamId,
        idempotencyKey: idempotencyKey(streamId, 'TranscriptReceived', marker),
        metadata,
      },
    ];
    await appendEvents(db.pool, events);
    await db.pool.query(`INSERT INTO callbacks (id, received_at, stream_id, body_sha256, body) VALUES ($1, now(), $2, 'sha', $3)`, [
      randomUUID(),
      streamId,
      JSON.stringify({ transcript: marker }),
    ]);
    await inTransaction(db.pool, (client) => projectConversations(client, testKeyring(), [streamId]));
    const text = async () =>
      (
        await db.pool.query<{ t: string }>(
          `SELECT (SELECT string_agg(data::text || metadata::text || idempotency_key, ' ') FROM events WHERE stream_id = $1) ||
                (SELECT string_agg(body, ' ') FROM callbacks WHERE stream_id = $1) AS t`,
          [streamId],
        )
      ).rows[0]!.t;
    expect(await text()).toContain(marker);

    await eraseConversation({ pool: db.pool }, { conversationId: id, streamId }, 'operator');
    expect(await text()).not.toContain(marker);
    expect(await text()).not.toContain('plain-digest');
    const { rows } = await db.pool.query(`SELECT type, data FROM events WHERE stream_id = $1 ORDER BY position`, [streamId]);
    expect(rows.map((r) => r.type)).toEqual(['ConversationStarted', 'TranscriptReceived', 'ConversationErased']);
    expect(rows[0].data).toMatchObject({ id, tavusConversationId: tavusId, erased: true });
    expect(rows[1].data).toEqual({ systemPromptRemoved: false, erased: true });
    expect((await db.pool.query('SELECT 1 FROM conversations WHERE id = $1', [id])).rowCount).toBe(0);
    // Outside an erasure the history still refuses any change.
    await expect(db.pool.query(`UPDATE events SET type = type WHERE stream_id = $1`, [streamId])).rejects.toThrow(/append-only/);
  });
});
