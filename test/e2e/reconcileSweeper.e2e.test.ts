import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startHarness, type Harness } from '../support/harness.js';
import { allEvents, eventCounts, ONE_OF_EACH } from '../support/reconcile.js';

// The service's own sweeper, as configured: every second, pulling conversations at once (after 0 s).
// Nobody calls it: the test waits for the pass that completes the conversation, then for the feedback.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { RECONCILE_INTERVAL_S: '1', RECONCILE_AFTER_S: '0', RECONCILE_RATE_PER_S: '5' } });
});
afterAll(async () => {
  await h.close();
});

describe('the sweeper in the service', () => {
  it('completes a conversation whose callbacks never came, unaided', async () => {
    const sweeper = h.service.reconcile;
    expect(sweeper).not.toBeNull();
    // Tavus has it all by the time we hear back from it: the sweeper's first look finds it ended.
    h.tavus.beforeNextAnswer(async (created) =>
      h.tavus.setConversation(created.answer.conversation_id, { status: 'ended', events: allEvents(created.answer.conversation_id) }),
    );
    const user = randomUUID();
    const started = await h.startConversation(user);

    for (;;) {
      const pass = await sweeper!.nextPass();
      const mine = pass.conversations.find((c) => c.conversationId === started.id);
      if (mine) {
        expect(mine.outcome.result).toBe('complete');
        break;
      }
    }
    expect(await eventCounts(h, started.conversationId)).toEqual(ONE_OF_EACH);
    await h.service.runner.drain();
    expect((await json(await h.get(`/conversations/${started.id}`, user))).status).toBe('completed');
    expect((await h.get(`/conversations/${started.id}/feedback`, user)).status).toBe(200);
    expect(sweeper!.metrics()).toMatchObject({ requests: 1, recoveredEvents: 5, results: { complete: 1 } });
  });
});
