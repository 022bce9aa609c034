import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

// Which failures of a model call are worth another try. `retryable` failures are retried here with
// backoff and, when they persist, handed back so the caller tries again later; the others will
// fail the same way until someone changes something (the key, the model, the prompt), so the
// caller parks them where an operator sees them.

export type FailureKind =
  | 'rate-limited' // 429: wait (Retry-After) and try again
  | 'server-error' // 5xx, 408, 409
  | 'timeout' // no answer within LLM_TIMEOUT_S
  | 'connection' // refused, reset, DNS
  | 'aborted' // our own stop
  | 'quota' // 429 insufficient_quota: the account must be topped up
  | 'request-rejected' // 400, 401, 403, 404, 422: the key, the model name or the request is wrong
  | 'invalid-answer' // not JSON, or not our schema, or cut at the token limit
  | 'refused' // the model declined, or a content filter stopped it
  | 'unexpected';

export interface LlmFailure {
  kind: FailureKind;
  retryable: boolean;
  /** For an operator: what happened and what to check. */
  message: string;
  /** HTTP status, when the endpoint answered. */
  status?: number;
  /** How long the endpoint asked us to wait before the next request. */
  retryAfterMs?: number;
  /** Requests made for this transcript. */
  attempts: number;
}

export type AttemptFailure = Omit<LlmFailure, 'attempts'>;

/**
 * `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date; undefined when
 * absent or unreadable. `now` is the wall clock in ms, for the date form.
 */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyError(error: unknown, now: number): AttemptFailure {
  if (error instanceof APIUserAbortError) return { kind: 'aborted', retryable: true, message: 'the call was aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', retryable: true, message: 'the endpoint did not answer in time (LLM_TIMEOUT_S)' };
  if (error instanceof APIConnectionError) {
    return { kind: 'connection', retryable: true, message: `could not reach the endpoint (LLM_BASE_URL): ${error.message}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const wait = retryAfterMs(error.headers as Headers | undefined, now);
    const detail = `${status}: ${error.message}`;
    const withWait = wait === undefined ? {} : { retryAfterMs: wait };
    if (status === 429 && error.code === 'insufficient_quota') {
      return { kind: 'quota', retryable: false, status, message: `the account behind LLM_API_KEY is out of quota (${detail})` };
    }
    if (status === 429) return { kind: 'rate-limited', retryable: true, status, message: `rate limited (${detail})`, ...withWait };
    if (status >= 500 || status === 408 || status === 409) {
      return { kind: 'server-error', retryable: true, status, message: `the endpoint failed (${detail})`, ...withWait };
    }
    const hint =
      status === 401 || status === 403
        ? 'check LLM_API_KEY'
        : status === 404
          ? 'check LLM_BASE_URL and LLM_MODEL'
          : 'check LLM_MODEL supports structured output';
    return { kind: 'request-rejected', retryable: false, status, message: `the endpoint refused the request, ${hint} (${detail})` };
  }
  return { kind: 'unexpected', retryable: false, message: error instanceof Error ? error.message : String(error) };
}
