import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCallback } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';

// The scenario's rubric travels with the conversation (copied into ConversationStarted) to the
// analyzer, and the feedback app users read carries coach@1's evidence and criteria.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'coach@1' });
});
afterAll(async () => {
  await h.close();
});

describe('feedback from coach@1 with a scenario rubric', () => {
  it('quotes the person and reports each criterion', async () => {
    const rubric = { criteria: [{ name: 'Says thank you', check: { kind: 'hear', phrases: ['thank you'] } }] };
    const scenario = await h.db.query<{ id: string }>(`INSERT INTO scenarios (name, rubric) VALUES ('Small talk', $1) RETURNING id`, [JSON.stringify(rubric)]);
    const user = randomUUID();
    const c = await h.startConversation(user, { scenarioId: scenario.rows[0]!.id });
    // Editing the scenario afterwards does not change how this conversation is scored.
    await h.db.query(`UPDATE scenarios SET rubric = NULL WHERE id = $1`, [scenario.rows[0]!.id]);
    expect((await h.post(callbackPath(c.callbackUrl), exampleCallback('application.transcription_ready', c.conversationId))).status).toBe(200);
    await h.service.runner.drain();

    const feedback = await json(await h.get(`/conversations/${c.id}/feedback`, user));
    expect(feedback.analyzer).toBe('coach');
    const { analysis } = feedback;
    expect(analysis.rubric.status).toBe('applied');
    expect(analysis.rubric.criteria).toEqual([expect.objectContaining({ name: 'Says thank you', passed: true })]);
    // Every strength is backed by the person's own words from the transcript.
    const userTurns = new Map<number, string>();
    (feedback.transcript as { role: string; content: string }[]).forEach((t, i) => t.role === 'user' && userTurns.set(i, t.content));
    expect(analysis.strengths.length).toBe(analysis.evidence.strengths.length);
    for (const quotes of analysis.evidence.strengths as { turn: number; quote: string }[][]) {
      for (const { turn, quote } of quotes) expect(userTurns.get(turn)).toContain(quote.replace(/…$/, ''));
    }
    expect(feedback.score).toBe(analysis.overallScore);
  });
});
