import OpenAI, { APIUserAbortError } from 'openai';
import PQueue from 'p-queue';
import type { LlmAnswer } from '../../analysis/llm/answer.js';
import type { BuiltPrompt } from '../../analysis/llm/prompt.js';
import type { LlmConfig } from '../../config.js';
import { classifyError, type AttemptFailure, type LlmFailure } from './failures.js';
import { readAnswer } from './readAnswer.js';

// The one place that talks to the model: any OpenAI-compatible chat-completions endpoint, through
// the `openai` package with its baseURL. It never throws; every call ends in a recording to append
// or a classified failure.
//
// Retries are ours, not the SDK's (its own are off): every request, retries included, passes the
// same limiter (at most `concurrency` in flight, starts spaced to `requestsPerSecond`), a
// Retry-After is honoured exactly, and tests control the waiting.

export interface RetryPolicy {
  /** Requests for one prompt at most, the first included. */
  maxAttempts: number;
  /** Backoff before retry n: base × 2^(n−1), at most maxDelayMs, times a random 0.5..1. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited for here: the failure goes back, retryable, with the wait. */
  maxRetryAfterMs: number;
  /** Answers that are not our JSON are asked again this many times, then the failure is permanent. */
  invalidAnswerRetries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000, invalidAnswerRetries: 1 };

export interface LlmClientDeps {
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts; resolves early (or at once) when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Monotonic ms, for latency. */
  monotonic?: () => number;
  /** Wall-clock ms, for a Retry-After given as a date. */
  now?: () => number;
  random?: () => number;
}

export interface LlmRecording {
  analyzer: string;
  model: string;
  servedModel: string | null;
  promptSha256: string;
  answer: LlmAnswer;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  /** Duration of the request that answered, not counting queueing or earlier attempts. */
  latencyMs: number;
  attempts: number;
}

export type LlmOutcome = { ok: true; recording: LlmRecording } | { ok: false; failure: LlmFailure };

export interface LlmClient {
  analyze(prompt: BuiltPrompt, options?: { signal?: AbortSignal }): Promise<LlmOutcome>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
}

type Attempt =
  { ok: true; answer: LlmAnswer; servedModel: string | null; usage: LlmRecording['usage']; latencyMs: number } | { ok: false; failure: AttemptFailure };

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createLlmClient(config: Omit<LlmConfig, 'maxPromptTokens'>, deps: LlmClientDeps = {}): LlmClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? defaultSleep;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const now = deps.now ?? (() => Date.now());
  const random = deps.random ?? Math.random;

  // Everything the SDK would otherwise read from OPENAI_* variables is given here, so the
  // configuration stays the one read in src/config.ts.
  const openai = new OpenAI({
    baseURL: config.baseUrl,
    // The SDK insists on a key; local servers that take none ignore this one.
    apiKey: config.apiKey ?? 'no-key',
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: config.timeoutMs,
    logLevel: 'off',
  });
  const queue = new PQueue({ concurrency: config.concurrency, intervalCap: 1, interval: Math.ceil(1000 / config.requestsPerSecond), strict: true });

  async function attempt(prompt: BuiltPrompt, signal: AbortSignal | undefined): Promise<Attempt> {
    const started = monotonic();
    try {
      const completion = await openai.chat.completions.create(
        { model: config.model, messages: prompt.messages, response_format: prompt.responseFormat, max_completion_tokens: prompt.maxAnswerTokens },
        { signal },
      );
      const latencyMs = Math.max(0, Math.round(monotonic() - started));
      const read = readAnswer(completion);
      if (!read.ok) return read;
      const u = completion.usage;
      return {
        ok: true,
        answer: read.answer,
        servedModel: typeof completion.model === 'string' ? completion.model : null,
        usage: u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens } : null,
        latencyMs,
      };
    } catch (error) {
      return { ok: false, failure: classifyError(error, now()) };
    }
  }

  async function queued(prompt: BuiltPrompt, signal: AbortSignal | undefined): Promise<Attempt> {
    try {
      return await queue.add(() => attempt(prompt, signal), { signal });
    } catch (error) {
      // Only an abort while waiting in the queue lands here.
      return { ok: false, failure: classifyError(error instanceof Error && error.name === 'AbortError' ? new APIUserAbortError() : error, now()) };
    }
  }

  function backoff(attempts: number): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling * (0.5 + random() / 2));
  }

  async function analyzeWith(prompt: BuiltPrompt, signal: AbortSignal): Promise<LlmOutcome> {
    let attempts = 0;
    let invalidAnswers = 0;
    for (;;) {
      attempts++;
      const result = await queued(prompt, signal);
      if (result.ok) {
        const { answer, servedModel, usage, latencyMs } = result;
        return {
          ok: true,
          recording: { analyzer: prompt.analyzer, model: config.model, servedModel, promptSha256: prompt.sha256, answer, usage, latencyMs, attempts },
        };
      }
      const failure = result.failure;
      const giveUp = (f: AttemptFailure = failure): LlmOutcome => ({ ok: false, failure: { ...f, attempts } });
      if (attempts >= policy.maxAttempts || failure.kind === 'aborted') return giveUp();
      if (failure.kind === 'invalid-answer') {
        if (invalidAnswers++ < policy.invalidAnswerRetries) continue;
        return giveUp();
      }
      if (!failure.retryable) return giveUp();
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) return giveUp();
      await sleep(failure.retryAfterMs ?? backoff(attempts), signal);
      if (signal?.aborted) return giveUp({ kind: 'aborted', retryable: true, message: 'the call was aborted' });
    }
  }

  return {
    async analyze(prompt, options = {}) {
      // The SDK leaves a listener on the signal it is given after each request; a long-lived
      // caller's signal (a reactor's) would collect thousands. Each call gets a signal of its own,
      // following the caller's, and lets go of the caller's when it ends.
      const own = new AbortController();
      const follow = () => own.abort();
      options.signal?.addEventListener('abort', follow, { once: true });
      if (options.signal?.aborted) own.abort();
      try {
        return await analyzeWith(prompt, own.signal);
      } finally {
        options.signal?.removeEventListener('abort', follow);
      }
    },
    idle: () => queue.onIdle(),
  };
}
