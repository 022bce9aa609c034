import { describe, expect, it } from 'vitest';
import { APIConnectionTimeoutError, APIError } from 'openai';
import { classifyError, retryAfterMs } from '../../src/reactors/llmAnalysis/failures.js';

const now = Date.parse('2025-03-01T10:00:00Z');
const apiError = (status: number, headers: Record<string, string> = {}, code: string | null = null) =>
  APIError.generate(status, { error: { message: 'x', type: 't', code } }, undefined, new Headers(headers));

describe('Retry-After', () => {
  it('reads retry-after-ms first, then seconds, then an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }), now)).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 01 Mar 2025 10:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 01 Mar 2025 09:00:00 GMT' }), now)).toBe(0);
  });

  it('is absent when missing or unreadable', () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('classifying failures', () => {
  it('retries what may pass and parks what will not', () => {
    expect(classifyError(apiError(429, { 'retry-after': '3' }), now)).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 3000 });
    expect(classifyError(apiError(429, {}, 'insufficient_quota'), now)).toMatchObject({ kind: 'quota', retryable: false });
    for (const status of [500, 502, 503, 408, 409])
      expect(classifyError(apiError(status), now)).toMatchObject({ kind: 'server-error', retryable: true, status });
    for (const status of [400, 401, 403, 404, 422])
      expect(classifyError(apiError(status), now)).toMatchObject({ kind: 'request-rejected', retryable: false, status });
    expect(classifyError(new APIConnectionTimeoutError(), now)).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyError(new TypeError('bug'), now)).toMatchObject({ kind: 'unexpected', retryable: false, message: 'bug' });
  });
});
