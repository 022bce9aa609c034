import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTavusClient, retryAfterSeconds, TavusError, TavusFailingError, TavusNotFoundError, TavusRateLimitedError } from '../../src/tavus/client.js';
import { exampleCallback } from '../support/callbacks.js';
import { startTavusStandIn, type TavusStandIn } from '../support/tavusStandIn.js';

// The verbose GET against the Tavus stand-in over loopback: answers parsed loosely, each failure a
// typed error that says what to do next, and never the API key or the echoed callback URL in one.

let tavus: TavusStandIn;
beforeAll(async () => {
  tavus = await startTavusStandIn('key-that-must-not-leak');
});
afterAll(async () => {
  await tavus.close();
});

const client = (timeoutMs = 2_000) => createTavusClient({ apiUrl: tavus.url, apiKey: tavus.apiKey, timeoutMs });

async function failureOf(promise: Promise<unknown>): Promise<TavusError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TavusError)) throw new Error(`expected a TavusError, got ${String(err)}`);
  expect(err.message).not.toContain(tavus.apiKey);
  expect(err.message).not.toContain('secret-token');
  return err;
}

describe('GET /v2/conversations/:id', () => {
  it('answers the status and, with verbose, every callback as an event, leaving out callback_url', async () => {
    tavus.setConversation('c-ended', {
      status: 'ended',
      callbackUrl: 'http://feedback.test/webhooks/tavus/secret-token',
      events: [exampleCallback('system.replica_joined', 'c-ended'), exampleCallback('system.shutdown', 'c-ended')],
    });
    const plain = await client().getConversation('c-ended');
    expect(plain).toEqual({ conversationId: 'c-ended', status: 'ended', shutdownReason: null, events: [] });

    const verbose = await client().getConversation('c-ended', { verbose: true });
    expect(verbose.status).toBe('ended');
    expect(verbose.events.map((e) => (e as { event_type: string }).event_type)).toEqual(['system.replica_joined', 'system.shutdown']);
    expect(Object.keys(verbose)).not.toContain('callback_url');
    expect(tavus.getsOf('c-ended').map((g) => g.verbose)).toEqual([false, true]);
  });

  it('says not found for a conversation Tavus does not know', async () => {
    const err = await failureOf(client().getConversation('c-nobody', { verbose: true }));
    expect(err).toBeInstanceOf(TavusNotFoundError);
    expect(err.status).toBe(404);
  });

  it('says rate limited with Retry-After, in seconds or as a date', async () => {
    tavus.setConversation('c-busy', { status: 'active' });
    tavus.failNextGet('c-busy', { status: 429, body: { message: 'Too many requests' }, headers: { 'retry-after': '17' } });
    const err = await failureOf(client().getConversation('c-busy', { verbose: true }));
    expect(err).toBeInstanceOf(TavusRateLimitedError);
    expect((err as TavusRateLimitedError).retryAfterSeconds).toBe(17);

    const now = Date.parse('2025-07-11T06:50:00Z');
    expect(retryAfterSeconds('Fri, 11 Jul 2025 06:51:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });

  it('says failing for a 5xx and for no answer in time', async () => {
    tavus.setConversation('c-down', { status: 'active' });
    tavus.failNextGet('c-down', { status: 503, body: { error: 'maintenance' } });
    const down = await failureOf(client().getConversation('c-down', { verbose: true }));
    expect(down).toBeInstanceOf(TavusFailingError);
    expect(down).toMatchObject({ status: 503, failure: 'status' });

    tavus.failNextGet('c-down', { hang: true });
    const slow = await failureOf(client(200).getConversation('c-down', { verbose: true }));
    expect(slow).toBeInstanceOf(TavusFailingError);
    expect(slow).toMatchObject({ status: undefined, failure: 'timeout' });
    expect(slow.message).toMatch(/did not answer within 0.2 s/);
  });

  it('refuses an answer that is not a conversation, without repeating it', async () => {
    tavus.setConversation('c-odd', { status: 'ended' });
    tavus.failNextGet('c-odd', { status: 200, body: { oops: 'http://feedback.test/webhooks/tavus/secret-token' } });
    const err = await failureOf(client().getConversation('c-odd', { verbose: true }));
    expect(err.constructor).toBe(TavusError);
    expect(err.message).toMatch(/not a conversation: conversation_id/);
  });

  it('stops at once when its caller aborts', async () => {
    tavus.setConversation('c-wait', { status: 'active' });
    tavus.failNextGet('c-wait', { hang: true });
    const abort = new AbortController();
    const pending = client(10_000).getConversation('c-wait', { verbose: true, signal: abort.signal });
    await tavus.whenGets('c-wait', 1);
    abort.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
  });
});
