import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { exampleCallback, wildCallback } from '../support/callbacks.js';
import { testKeyring } from '../support/keys.js';
import type { DataKey } from '../../src/privacy/keyring.js';
import { keyedBodyDigest } from '../../src/privacy/sealing.js';

// What live Tavus traffic carries beyond the documentation's examples, end to end over HTTP: messy
// transcripts accepted and cleaned, objectives and guardrails on the conversation, and the callback
// token never served back nor logged.

let h: Harness;
const logLines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  h = await startHarness({ logger: pino({ level: 'debug' }, sink) });
});
afterAll(async () => {
  await h.close();
});

const messyTranscript = [
  { role: 'system', content: 'You are Sam. Stay in character.' },
  { role: 'assistant', content: '<emotion value="warm"/>Hi! How are you?' },
  { role: 'user', content: 'USER_SPEECH: Good, thanks. VISUAL_SCENE: person at a desk' },
  { role: 'system', content: 'Knowledge base: the launch slipped two weeks.' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
  { role: 'tool', content: '{"result":"ok"}', tool_call_id: 'call_1' },
  { role: 'user', content: 'Can we talk about the   launch?', timestamp: 1752216600.25 },
  { role: 'assistant', content: '' },
];

describe('live Tavus callbacks', () => {
  it('accepts a transcript with rows that are not talk, keeps it as received, and feeds only the talk to feedback', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const path = callbackPath(c.callbackUrl);
    expect((await h.post(path, exampleCallback('system.shutdown', c.conversationId))).status).toBe(200);
    const response = await h.post(
      path,
      wildCallback('application.transcription_ready', c.conversationId, { replica_id: 'r-test', transcript: messyTranscript }),
    );
    expect(response.status, await response.clone().text()).toBe(200);
    await h.service.runner.drain();

    const feedback = await json(await h.get(`/conversations/${c.id}/feedback`, user));
    expect(feedback.transcript).toEqual([
      { role: 'assistant', content: 'Hi! How are you?' },
      { role: 'user', content: 'Good, thanks.' },
      { role: 'user', content: 'Can we talk about the launch?', timestamp: 1752216600.25 },
    ]);
    const { events } = await json(await h.get(`/conversations/${c.id}/events`, user));
    const transcript = (events as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'TranscriptReceived')!;
    // The rows as received, less the system prompt; and what was set aside.
    expect(transcript.data.received).toEqual(messyTranscript.slice(1));
    expect(transcript.data.setAside).toEqual({ system: 1, 'tool call': 1, tool: 1, 'no text': 1 });
  });

  it('keeps objectives and guardrails, with or without event_type, and shows them on the conversation', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const path = callbackPath(c.callbackUrl);
    const posts = [
      wildCallback('conversation.objective.completed', c.conversationId, {
        objective_name: 'ask_about_blockers',
        output_variables: { blockers: 'the vendor' },
      }),
      // Older, flat, and the same objective again later: reached once, at its first time.
      {
        conversation_id: c.conversationId,
        objective_name: 'ask_about_blockers',
        output_variables: { blockers: ['the vendor'] },
        timestamp: '2025-07-11T07:00:00Z',
      },
      { conversation_id: c.conversationId, objective_name: 'agree_next_step', output_variables: 'a follow-up on Friday' },
      wildCallback('conversation.guardrail.triggered', c.conversationId, { guardrail_name: 'no_medical_advice', reason: 'asked about medication' }),
    ];
    for (const body of posts) expect((await h.post(path, body)).status, JSON.stringify(body)).toBe(200);
    await h.service.runner.drain();
    const conversation = await json(await h.get(`/conversations/${c.id}`, user));
    expect(conversation.objectives).toEqual([
      { name: 'agree_next_step', outputVariables: 'a follow-up on Friday', at: null },
      { name: 'ask_about_blockers', outputVariables: { blockers: 'the vendor' }, at: '2025-07-11T06:50:00.000Z' },
    ]);
    expect(conversation.guardrails).toEqual([{ name: 'no_medical_advice', reason: 'asked about medication', at: '2025-07-11T06:50:00.000Z' }]);
    // An objective is not an end: the conversation is still active.
    expect(conversation.status).toBe('active');
  });

  it('never serves back or logs the callback token Tavus echoes', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const token = callbackPath(c.callbackUrl).split('/').pop()!;
    const body = { ...exampleCallback('system.shutdown', c.conversationId), webhook_url: c.callbackUrl };
    expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
    // A refused one is logged too (at warn): with the path redacted.
    expect((await h.post(callbackPath(c.callbackUrl), { ...body, conversation_id: 'c-other' })).status).toBe(401);
    await h.service.runner.drain();
    const readable = [
      await (await h.get(`/conversations/${c.id}`, user)).text(),
      await (await h.get(`/conversations/${c.id}/events`, user)).text(),
      JSON.stringify((await h.db.query('SELECT body FROM callbacks WHERE stream_id = $1', [`conversation-${c.conversationId}`])).rows),
    ];
    for (const text of readable) expect(text).not.toContain(token);
    expect(readable[1]).toContain('/webhooks/tavus/[redacted]');
    // The body is kept without the token, yet its digest is of the bytes exactly as they came (keyed
    // by the conversation's key, so it confirms nothing to whoever lacks it).
    const stream = `conversation-${c.conversationId}`;
    const key = (await testKeyring().forReading(h.db, [stream])).get(stream) as DataKey;
    const digests = await h.db.query<{ body_sha256: string }>('SELECT body_sha256 FROM callbacks WHERE stream_id = $1', [stream]);
    expect(digests.rows.map((r) => r.body_sha256)).toContain(keyedBodyDigest(key, JSON.stringify(body)));
    expect(logLines.some((l) => l.includes('/webhooks/tavus/[redacted]'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(token);
  });
});
