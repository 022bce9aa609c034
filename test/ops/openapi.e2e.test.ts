import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail, CallbackReceived, Conversation, Feedback, Health, Problem, Ready, StartedConversation } from '../../src/http/openapi/answers.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness, type Json } from '../support/harness.js';
import { listRoutes } from '../support/routes.js';

// GET /openapi.json is a valid OpenAPI 3.1 document naming every route the app has, and what the
// routes really answer fits the schemas it describes; /docs renders it from the service's own files.

let h: Harness;
let document: Json;
beforeAll(async () => {
  h = await startHarness();
  const response = await fetch(`${h.service.url}/openapi.json`);
  expect(response.status).toBe(200);
  document = await response.json();
});
afterAll(async () => {
  await h.close();
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes every route the app answers', () => {
    const routes = listRoutes(h.service.app);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const described = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.filter((r) => !described.includes(r))).toEqual([]);
  });

  it('describes request bodies, answers and problem details by schema', () => {
    const post = document.paths['/conversations'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['scenarioId']);
    expect(body.additionalProperties).toBe(false);
    // The configured cap, from the same schema the route checks requests with.
    expect(body.properties.properties.properties.max_call_duration.maximum).toBe(1800);
    expect(post.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/StartedConversation');
    expect(post.responses['400'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    const callback = document.paths['/webhooks/tavus/{token}'].post;
    expect(callback.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/TavusCallback');
    const shapes = (document.components.schemas.TavusCallback.anyOf as { $ref: string }[]).map((s) => s.$ref.split('/').pop());
    expect(shapes).toEqual(expect.arrayContaining(['ShutdownCallback', 'TranscriptionReadyCallback', 'SingleBodyCallback', 'UnknownTypeCallback']));
    expect(document.components.schemas.TranscriptionReadyCallback.properties.event_type.const).toBe('application.transcription_ready');
  });
});

describe('answers fit the schemas described', () => {
  it('for a conversation from start to feedback', async () => {
    const user = randomUUID();
    const response = await h.post('/conversations', { scenarioId: h.scenarioId, replicaId: 'r-test' }, { authorization: `Bearer ${await h.tokenFor(user)}` });
    expect(response.status).toBe(201);
    const started = StartedConversation.parse(await json(response));
    const callbackUrl = String(h.tavus.created.find((c) => c.answer.conversation_id === started.conversationId)?.body.callback_url);
    const received = await h.post(callbackPath(callbackUrl), singleBodyCallback(started.conversationId));
    CallbackReceived.parse(await json(received));
    await h.service.runner.drain();
    Conversation.parse(await json(await h.get(`/conversations/${started.id}`, user)));
    Feedback.parse(await json(await h.get(`/conversations/${started.id}/feedback`, user)));
    AuditTrail.parse(await json(await h.get(`/conversations/${started.id}/events`, user)));
    const problem = await h.get(`/conversations/${randomUUID()}`, user);
    expect(problem.status).toBe(404);
    Problem.parse(await json(problem));
    const invalid = await h.post('/conversations', { scenarioId: 5 }, { authorization: `Bearer ${await h.tokenFor(user)}` });
    expect(Problem.parse(await json(invalid)).errors?.[0]?.field).toBe('scenarioId');
    Health.parse(await json(await fetch(`${h.service.url}/healthz`)));
    Ready.parse(await json(await fetch(`${h.service.url}/readyz`)));
  });
});

describe('GET /docs', () => {
  it("renders the description from the service's own files", async () => {
    const redirect = await fetch(`${h.service.url}/docs`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const page = await fetch(`${h.service.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="./docs.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const scripts = [...html.matchAll(/src="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'docs.js']);
    for (const file of [...scripts, 'swagger-ui.css']) {
      const asset = await fetch(`${h.service.url}/docs/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get('content-type'), file).toMatch(file.endsWith('.css') ? /text\/css/ : /javascript/);
      await asset.arrayBuffer();
    }
  });
});
