import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANALYZER } from '../../src/analysis/registry.js';
import { exampleCallback } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';

// What a new user gets with nothing configured: the build's default analyzer (the best measured,
// src/analysis/README.md), and the deprecated ANALYZER still honoured, with a warning.

let h: Harness;
const logLines: string[] = [];
beforeAll(async () => {
  h = await startHarness({
    env: { ANALYZER: DEFAULT_ANALYZER },
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
  });
});
afterAll(async () => {
  await h.close();
});

describe('a fresh install', () => {
  it('serves the default analyzer and warns that ANALYZER is deprecated', async () => {
    const [name, version] = DEFAULT_ANALYZER.split('@');
    const user = randomUUID();
    const c = await h.startConversation(user);
    expect((await h.post(callbackPath(c.callbackUrl), exampleCallback('application.transcription_ready', c.conversationId))).status).toBe(200);
    await h.service.runner.drain();
    const response = await h.get(`/conversations/${c.id}/feedback`, user);
    expect(response.status, await response.clone().text()).toBe(200);
    const feedback = await json(response);
    expect({ analyzer: feedback.analyzer, version: feedback.analyzer_version }).toEqual({ analyzer: name, version: Number(version) });
    expect(logLines.some((l) => l.includes('ANALYZER is deprecated: rename it to FEEDBACK_DEFAULT_ANALYZER'))).toBe(true);
  });
});
