import pino from 'pino';
import { testKeyring } from '../support/keys.js';
const keyring = testKeyring();
import { describe, expect, it } from 'vitest';
import { callbackTokens } from '../../src/commands/callbackToken.js';
import { CallbackHandler } from '../../src/commands/recordCallback/handler.js';
import { conversationStarts } from '../../src/commands/startConversation/handler.js';
import { createPool } from '../../src/db/pool.js';
import { createApp } from '../../src/http/app.js';
import { createTavusClient } from '../../src/tavus/client.js';
import { exampleCallback } from '../support/callbacks.js';

// When the database cannot be reached, a callback is answered 503 (retry), never 2xx, never a crash.

describe('database unreachable', () => {
  it('answers callbacks with 503 and readiness with 503', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/none', { max: 2 });
    const tokens = callbackTokens('a-secret-of-sixteen-chars');
    const app = createApp({
      pool,
      probePool: pool,
      callbacks: new CallbackHandler(pool, keyring),
      starts: conversationStarts(pool, keyring, {}),
      tavus: createTavusClient({ apiUrl: 'http://127.0.0.1:1', apiKey: 'k' }),
      tokens,
      userAuth: { hs256Secret: 'a-secret-of-sixteen-chars', jwksUrl: undefined, audience: 'authenticated', jwksCooldownMs: 30_000, jwksCacheMaxAgeMs: 600_000 },
      rateLimits: { windowMs: 60_000, perUser: 100, perAddress: 100 },
      conversationCaps: { maxCallDurationSeconds: 1800, allowRecording: false },
      trustProxyHops: 0,
      publicUrl: 'http://x',
      callbackPolicy: { requireToken: true, tokenTtlSeconds: 86400 },
      logger: pino({ level: 'silent' }),
      keyring,
      erase: () => Promise.reject(new Error('not in this test')),
    });
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const response = await fetch(`${url}/webhooks/tavus/${tokens.issue('0b7c6f1e-2a59-4d7c-9d43-6f0d3c1a2b3c')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(exampleCallback('system.shutdown', 'c1')),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      server.close();
      await pool.end();
    }
  });
});
