import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';

// RETENTION_DAYS: the sweeper erases, as `retention`, what started longer ago than that, and only that.

let h: Harness;

beforeAll(async () => {
  // The sweep is run by the test, not by the clock.
  h = await startHarness({ env: { RETENTION_DAYS: '30' }, serviceOptions: { retention: { firstAfterMs: 3_600_000 } } });
});

afterAll(async () => {
  await h?.close();
});

describe('retention', () => {
  it('erases conversations older than RETENTION_DAYS, leaves the rest, and finds nothing more the next time', async () => {
    const user = randomUUID();
    const [old, recent] = [await h.startConversation(user), await h.startConversation(user)];
    for (const c of [old, recent]) expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId))).status).toBe(200);
    await h.service.runner.drain();
    // As if it had started 40 days ago.
    await h.db.query(`UPDATE conversations SET created_at = now() - interval '40 days' WHERE id = $1`, [old.id]);

    expect(await h.service.retention!.sweep()).toBe(1);
    expect((await h.get(`/conversations/${old.id}`, user)).status).toBe(404);
    expect((await h.get(`/conversations/${recent.id}/feedback`, user)).status).toBe(200);
    const { rows } = await h.db.query(`SELECT data FROM events WHERE type = 'ConversationErased'`);
    expect(rows.map((r) => r.data)).toEqual([expect.objectContaining({ conversationId: old.id, by: 'retention' })]);
    expect(await h.service.retention!.sweep()).toBe(0);
  });
});
