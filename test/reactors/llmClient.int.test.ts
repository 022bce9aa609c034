import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { llm } from '../../src/analysis/llm/index.js';
import { analysisRecordedEvent } from '../../src/commands/recordAnalysis.js';
import { eventSchemas } from '../../src/events/types.js';
import { buildPrompt } from '../../src/analysis/llm/prompt.js';
import type { Turn } from '../../src/analysis/types.js';
import { createLlmClient, type LlmClientDeps, type LlmOutcome } from '../../src/reactors/llmAnalysis/client.js';
import { FOREIGN_QUOTE, startLlmStandIn, type LlmStandIn } from '../support/llmStandIn.js';

// The client against an OpenAI-compatible stand-in over real HTTP. Waits between attempts go
// through an injected sleep that records what it was asked and returns at once, so the tests see
// the retry policy without waiting for it.

const transcript: Turn[] = [
  { role: 'system', content: 'You are Sam.' },
  { role: 'user', content: 'How did the launch go for you?' },
  { role: 'assistant', content: 'Honestly, it was stressful.' },
  { role: 'user', content: 'It sounds like it took a lot out of you.' },
];
const prompt = buildPrompt({ transcript, context: { name: 'Launch review' } }, { maxPromptTokens: 16_000 });

let standIn: LlmStandIn;
beforeAll(async () => {
  standIn = await startLlmStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
  standIn.setDefault({ kind: 'valid' });
});

function client(
  over: { timeoutMs?: number; concurrency?: number; requestsPerSecond?: number; apiKey?: string; model?: string } = {},
  deps: LlmClientDeps = {},
) {
  const waits: number[] = [];
  const c = createLlmClient(
    {
      baseUrl: standIn.baseUrl,
      apiKey: over.apiKey ?? standIn.apiKey,
      model: over.model ?? standIn.model,
      concurrency: over.concurrency ?? 4,
      requestsPerSecond: over.requestsPerSecond ?? 1000,
      timeoutMs: over.timeoutMs ?? 5000,
    },
    {
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      random: () => 1,
      ...deps,
    },
  );
  return { c, waits };
}

function failureOf(outcome: LlmOutcome) {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('the LLM client', () => {
  it('records a valid answer with what made it', async () => {
    const { c } = client();
    const outcome = await c.analyze(prompt);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { recording } = outcome;
    expect(recording).toMatchObject({
      analyzer: 'llm@1',
      model: 'stand-in-model',
      servedModel: 'stand-in-model-2025-01-01',
      promptSha256: prompt.sha256,
      attempts: 1,
    });
    expect(recording.usage!.totalTokens).toBe(recording.usage!.promptTokens + recording.usage!.completionTokens);
    expect(recording.latencyMs).toBeGreaterThanOrEqual(0);
    expect(recording.answer.strengths[0]!.quotes).toEqual(['How did the launch go for you?', 'It sounds like it took a lot out']);

    const [request] = standIn.requests;
    expect(request!.authorization).toBe(`Bearer ${standIn.apiKey}`);
    expect(request!.body).toMatchObject({
      model: 'stand-in-model',
      messages: prompt.messages,
      response_format: prompt.responseFormat,
      max_completion_tokens: 4096,
    });
  });

  it('re-asks once after an answer that is not JSON, then succeeds', async () => {
    standIn.script({ kind: 'invalid-json' });
    const { c, waits } = client();
    const outcome = await c.analyze(prompt);
    expect(outcome.ok && outcome.recording.attempts).toBe(2);
    expect(waits).toEqual([]);
  });

  it('gives up on answers that keep breaking the schema: permanent', async () => {
    standIn.setDefault({ kind: 'wrong-shape' });
    const { c } = client();
    const failure = failureOf(await c.analyze(prompt));
    expect(failure).toMatchObject({ kind: 'invalid-answer', retryable: false, attempts: 2 });
    expect(failure.message).toMatch(/does not fit the schema: strengths/);
    expect(standIn.requests).toHaveLength(2);
  });

  it('calls an answer cut at the token limit invalid, and a refusal refused', async () => {
    standIn.setDefault({ kind: 'truncated' });
    expect(failureOf(await client().c.analyze(prompt))).toMatchObject({ kind: 'invalid-answer', message: 'the answer was cut at the token limit' });
    standIn.setDefault({ kind: 'refusal' });
    expect(failureOf(await client().c.analyze(prompt))).toMatchObject({ kind: 'refused', retryable: false, attempts: 1 });
  });

  it('waits what Retry-After says after a 429, then succeeds', async () => {
    standIn.script({ kind: 'rate-limited', retryAfter: '2' }, { kind: 'rate-limited', retryAfterMs: '150' });
    const { c, waits } = client();
    const outcome = await c.analyze(prompt);
    expect(outcome.ok && outcome.recording.attempts).toBe(3);
    expect(waits).toEqual([2000, 150]);
  });

  it('hands a 429 back, retryable, when Retry-After is longer than it waits', async () => {
    standIn.script({ kind: 'rate-limited', retryAfter: '600' });
    const { c, waits } = client();
    const failure = failureOf(await c.analyze(prompt));
    expect(failure).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429, retryAfterMs: 600_000, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('does not retry an exhausted quota', async () => {
    standIn.setDefault({ kind: 'rate-limited', code: 'insufficient_quota' });
    const failure = failureOf(await client().c.analyze(prompt));
    expect(failure).toMatchObject({ kind: 'quota', retryable: false, attempts: 1 });
  });

  it('backs off exponentially on 5xx and hands the failure back as retryable', async () => {
    standIn.setDefault({ kind: 'server-error', status: 500 });
    const { c, waits } = client({}, { retry: { baseDelayMs: 100, maxAttempts: 4 } });
    const failure = failureOf(await c.analyze(prompt));
    expect(failure).toMatchObject({ kind: 'server-error', retryable: true, status: 500, attempts: 4 });
    expect(waits).toEqual([100, 200, 400]);
    expect(standIn.requests).toHaveLength(4);
  });

  it('recovers when a 503 passes', async () => {
    standIn.script({ kind: 'server-error', status: 503 });
    const outcome = await client().c.analyze(prompt);
    expect(outcome.ok && outcome.recording.attempts).toBe(2);
  });

  it('times out a slow answer and retries it', async () => {
    standIn.script({ kind: 'slow', ms: 2000 });
    const { c, waits } = client({ timeoutMs: 200 });
    const outcome = await c.analyze(prompt);
    expect(outcome.ok && outcome.recording.attempts).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it('classifies an endpoint that never answers in time as a retryable timeout', async () => {
    standIn.setDefault({ kind: 'slow', ms: 2000 });
    const failure = failureOf(await client({ timeoutMs: 100 }, { retry: { maxAttempts: 2 } }).c.analyze(prompt));
    expect(failure).toMatchObject({ kind: 'timeout', retryable: true, attempts: 2 });
  });

  it('takes a slow answer within the timeout', async () => {
    standIn.script({ kind: 'slow', ms: 150 });
    const outcome = await client({ timeoutMs: 5000 }).c.analyze(prompt);
    expect(outcome.ok && outcome.recording.attempts).toBe(1);
  });

  it('is refused, as OpenAI refuses it, a strict schema that leaves an object open', async () => {
    const open = {
      ...prompt,
      responseFormat: {
        ...prompt.responseFormat,
        json_schema: { ...prompt.responseFormat.json_schema, schema: { ...prompt.responseFormat.json_schema.schema, additionalProperties: true } },
      },
    };
    const failure = failureOf(await client().c.analyze(open));
    expect(failure).toMatchObject({ kind: 'request-rejected', retryable: false, status: 400 });
    expect(failure.message).toMatch(/additionalProperties/);
  });

  it('does not retry a wrong key or an unknown model: permanent, with what to check', async () => {
    const key = failureOf(await client({ apiKey: 'wrong' }).c.analyze(prompt));
    expect(key).toMatchObject({ kind: 'request-rejected', retryable: false, status: 401, attempts: 1 });
    expect(key.message).toMatch(/LLM_API_KEY/);
    const model = failureOf(await client({ model: 'no-such-model' }).c.analyze(prompt));
    expect(model).toMatchObject({ kind: 'request-rejected', status: 404 });
    expect(model.message).toMatch(/LLM_MODEL/);
  });

  it('classifies an endpoint that is not there as a retryable connection failure', async () => {
    const gone = await startLlmStandIn();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const c = createLlmClient(
      { baseUrl, apiKey: 'k', model: 'm', concurrency: 1, requestsPerSecond: 100, timeoutMs: 1000 },
      { sleep: async () => {}, retry: { maxAttempts: 2 } },
    );
    expect(failureOf(await c.analyze(prompt))).toMatchObject({ kind: 'connection', retryable: true, attempts: 2 });
  });

  it('stops at once when aborted, even between attempts', async () => {
    standIn.setDefault({ kind: 'server-error' });
    const controller = new AbortController();
    const { c } = client(
      {},
      {
        sleep: () => {
          controller.abort();
          return Promise.resolve();
        },
      },
    );
    const failure = failureOf(await c.analyze(prompt, { signal: controller.signal }));
    expect(failure).toMatchObject({ kind: 'aborted', retryable: true, attempts: 1 });
  });

  it('records an answer whose quote is not in the transcript; llm@1, reading the event back, drops that quote and notes it', async () => {
    standIn.script({ kind: 'foreign-quote' });
    const outcome = await client().c.analyze(prompt);
    if (!outcome.ok) throw new Error(outcome.failure.message);
    expect(outcome.recording.answer.strengths[0]!.quotes).toContain(FOREIGN_QUOTE);
    // The path a replay takes: the recording becomes an event, is stored as JSON, read and parsed.
    const event = analysisRecordedEvent({ tavusConversationId: 'c1', transcriptKey: 'k', recording: outcome.recording, answeredAt: new Date(0) });
    const stored = eventSchemas.AnalysisRecorded.parse(JSON.parse(JSON.stringify(event.data)));
    const result = llm.analyze({ transcript, recordings: [stored] });
    expect(result).toEqual(llm.analyze({ transcript, recordings: [outcome.recording] }));
    expect(result.analysis.droppedQuotes).toEqual([{ section: 'strengths', item: 0, quote: FOREIGN_QUOTE }]);
    expect(result.analysis.evidence).toMatchObject({ strengths: [[{ turn: 1 }, { turn: 3 }], [{ turn: 3 }]] });
  });
});

describe('the limits on calls', () => {
  it('keeps at most LLM_CONCURRENCY requests in flight', async () => {
    const limited = await startLlmStandIn();
    try {
      limited.setDefault({ kind: 'slow', ms: 100 });
      const c = createLlmClient({
        baseUrl: limited.baseUrl,
        apiKey: limited.apiKey,
        model: limited.model,
        concurrency: 2,
        requestsPerSecond: 1000,
        timeoutMs: 5000,
      });
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => c.analyze(prompt)));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(limited.requests).toHaveLength(8);
      expect(limited.maxInFlight()).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('starts at most LLM_REQUESTS_PER_SECOND requests in any second, retries included', async () => {
    const limited = await startLlmStandIn();
    try {
      // Every other request fails once, so retries compete with first attempts for the same slots.
      limited.script({ kind: 'server-error' }, { kind: 'valid' }, { kind: 'server-error' });
      const c = createLlmClient(
        { baseUrl: limited.baseUrl, apiKey: limited.apiKey, model: limited.model, concurrency: 8, requestsPerSecond: 4, timeoutMs: 5000 },
        { sleep: async () => {} },
      );
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => c.analyze(prompt)));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const starts = limited.requests.map((r) => r.at).sort((a, b) => a - b);
      expect(starts).toHaveLength(7);
      // 4 per second, spaced: five starts span at least a second. 50 ms of slack for arrival
      // jitter; at 5/s they would span 800 ms.
      for (let i = 0; i + 4 < starts.length; i++) expect(starts[i + 4]! - starts[i]!).toBeGreaterThanOrEqual(950);
    } finally {
      await limited.close();
    }
  });
});
