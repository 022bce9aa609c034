import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { EXAMPLE_TYPES, exampleCallback, singleBodyCallback } from '../support/callbacks.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'baseline@1' });
});
afterAll(async () => {
  await h.close();
});

describe('a conversation, end to end', () => {
  it('creates it at Tavus with a callback URL bound to it, and records the start', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user, { conversationName: 'Weekly 1:1' });
    expect(started.conversationUrl).toMatch(/^https:\/\/tavus\.daily\.co\//);
    expect(started.callbackUrl).toMatch(new RegExp(`^http://feedback\\.test/webhooks/tavus/${started.id}\\.[\\w-]{43}$`));
    const sent = h.tavus.created.at(-1)!.body;
    expect(sent).toMatchObject({ replica_id: 'r-test', conversation_name: 'Weekly 1:1' });

    await h.service.runner.drain();
    const response = await h.get(`/conversations/${started.id}`, user);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ id: started.id, conversation_id: started.conversationId, user_id: user, status: 'active' });
  });

  it('turns every documented callback into the conversation and its feedback', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user);
    for (const type of EXAMPLE_TYPES) {
      const response = await h.post(callbackPath(started.callbackUrl), exampleCallback(type, started.conversationId));
      expect(response.status, type).toBe(200);
    }
    await h.service.runner.drain();

    const conversation = await json(await h.get(`/conversations/${started.conversationId}`, user));
    expect(conversation).toMatchObject({
      status: 'completed',
      ended_at: '2025-07-11T06:48:37.564Z',
      recording_url: `s3://recordings/${started.conversationId}.mp4`,
    });
    expect(Object.keys(conversation.tavus_metadata as object).sort()).toEqual([...EXAMPLE_TYPES].sort());

    const feedback = await json(await h.get(`/conversations/${started.id}/feedback`, user));
    expect(feedback.conversation_id).toBe(started.id);
    expect(feedback.user_id).toBe(user);
    expect(feedback.analyzer).toBe('baseline');
    expect(feedback.analyzer_version).toBe(1);
    // The system prompt is gone: 10 turns of talk remain of the 11 entries.
    expect(feedback.transcript).toHaveLength(10);
    expect((feedback.transcript as { role: string }[]).some((t) => t.role === 'system')).toBe(false);
    expect(feedback.duration).toBe(14);
    expect(feedback.score).toBe(feedback.analysis.overallScore);
    expect(feedback.analysis.keyInsights[0]).toContain('5 turns');
  });

  it('accepts the original single-body form on the original URL', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user);
    const response = await h.post(callbackPath(started.callbackUrl), singleBodyCallback(started.conversationId));
    expect(response.status).toBe(200);
    await h.service.runner.drain();
    const feedback = await json(await h.get(`/conversations/${started.id}/feedback`, user));
    expect(feedback.duration).toBe(300);
    expect(feedback.transcript).toHaveLength(6);
  });

  it('shows the history to its owner only', async () => {
    const user = randomUUID();
    const started = await h.startConversation(user);
    await h.post(callbackPath(started.callbackUrl), exampleCallback('system.shutdown', started.conversationId));
    await h.service.runner.drain();
    const mine = await h.get(`/conversations/${started.id}/events`, user);
    const body = await json(mine);
    expect((body.events as { type: string }[]).map((e) => e.type)).toEqual(['ConversationStarted', 'ConversationEnded']);
    for (const path of [`/conversations/${started.id}`, `/conversations/${started.id}/events`, `/conversations/${started.id}/feedback`]) {
      expect((await h.get(path, randomUUID())).status, path).toBe(404);
    }
  });
});
