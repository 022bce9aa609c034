import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analyzer } from '../../src/analysis/types.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { idempotencyKey } from '../../src/events/streams.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { runCli, runCliAsync } from '../support/cli.js';

// A conversation a projection cannot apply is parked; everything else stays fresh; once the cause is
// fixed, a retry ends it exactly as if it had never failed.

/** An analyzer with a bug on one kind of transcript, until it is "deployed" fixed. */
const bug = { present: true };
const fragile: Analyzer = {
  name: 'fragile',
  version: 1,
  description: 'test analyzer: throws on transcripts that mention a poison word while the bug is present',
  analyze(input) {
    if (bug.present && input.transcript.some((t) => t.content.includes('poison'))) throw new Error('analyzer bug: cannot score this');
    return {
      score: input.transcript.length,
      analysis: { strengths: [], areasForImprovement: [], keyInsights: [], communicationScore: 1, empathyScore: 1, problemSolvingScore: 1, overallScore: 1 },
    };
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'fragile@1', lookupAnalyzer: (id) => (id === 'fragile@1' ? fragile : findAnalyzer(id)) });
});
afterAll(async () => {
  await h.close();
});

async function ended(user: string, words: string) {
  const c = await h.startConversation(user);
  const body = singleBodyCallback(c.conversationId, 4);
  (body.transcript as { content: string }[])[0]!.content = words;
  expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
  return c;
}

describe('dead letters', () => {
  it('park the conversation that fails, keep the rest fresh, and apply it after the fix as if it never failed', async () => {
    const user = randomUUID();
    const poisoned = await ended(user, 'a poison word');
    const healthy = await ended(user, 'a healthy word');
    await h.service.runner.drain();

    expect((await h.get(`/conversations/${healthy.id}/feedback`, user)).status).toBe(200);
    expect((await h.get(`/conversations/${poisoned.id}/feedback`, user)).status).toBe(404);
    // Its conversation row is fine: only the feedback projection failed for it.
    expect((await json(await h.get(`/conversations/${poisoned.id}`, user))).status).toBe('completed');
    const ready = await json(await fetch(`${h.service.url}/readyz`));
    expect(ready).toEqual({ status: 'ready', deadLetters: 1 });
    const listed = runCli(['deadletters'], { env: { DATABASE_URL: h.databaseUrl } });
    expect(listed.stdout).toContain(`conversation-${poisoned.conversationId}  feedback:fragile@1  attempts 1`);
    expect(listed.stdout).toContain('analyzer bug: cannot score this');

    // Later events of the parked conversation wait with it, and do not fail anything else.
    const late = { ...singleBodyCallback(poisoned.conversationId, 4), recording_url: 'https://recordings.example/late.mp4' };
    expect((await h.post(callbackPath(poisoned.callbackUrl), late)).status).toBe(200);
    const another = await ended(user, 'another healthy one');
    await h.service.runner.drain();
    expect((await h.get(`/conversations/${another.id}/feedback`, user)).status).toBe(200);

    bug.present = false;
    const retried = await runCliAsync(['deadletters', 'retry', '--all'], { env: { DATABASE_URL: h.databaseUrl } });
    expect(retried.stdout, retried.stderr).toContain(`conversation-${poisoned.conversationId}  feedback:fragile@1: applied`);
    expect(retried.status).toBe(0);
    const feedback = await json(await h.get(`/conversations/${poisoned.id}/feedback`, user));
    expect(feedback.score).toBe(fragile.analyze({ transcript: feedback.transcript, durationSeconds: 300, context: {} }).score);
    expect(await json(await fetch(`${h.service.url}/readyz`))).toEqual({ status: 'ready', deadLetters: 0 });
  });

  it('park an old event this build cannot read, written straight into the history, and go on', async () => {
    const user = randomUUID();
    const c = await ended(user, 'fine words');
    const streamId = `conversation-${c.conversationId}`;
    // As old data would be: an end whose shape this build does not know.
    await h.db.query(
      `INSERT INTO events (stream_id, type, data, metadata, idempotency_key) VALUES ($1, 'ConversationEnded', $2, '{"source":"api","receivedAt":"2025-01-01T00:00:00Z"}', $3)`,
      [streamId, JSON.stringify({ outcome: 'exploded', at: 'never' }), idempotencyKey(streamId, 'ConversationEnded', 'poison')],
    );
    const next = await ended(user, 'more fine words');
    await h.service.runner.drain();
    expect((await h.get(`/conversations/${next.id}/feedback`, user)).status).toBe(200);
    const { rows } = await h.db.query<{ projection: string; error: string }>('SELECT projection, error FROM dead_letters WHERE stream_id = $1', [streamId]);
    expect(rows.map((r) => r.projection)).toEqual(['conversations']);
    expect(rows[0]!.error).toMatch(/outcome/);
    // Retried without a fix, it fails again and stays parked, one attempt more.
    const retried = await runCliAsync(['deadletters', 'retry', streamId], { env: { DATABASE_URL: h.databaseUrl } });
    expect(retried.status, retried.stdout + retried.stderr).toBe(1);
    expect(retried.stdout).toContain('failed again');
    expect((await h.db.query('SELECT attempts FROM dead_letters WHERE stream_id = $1', [streamId])).rows[0].attempts).toBe(2);
  });
});
