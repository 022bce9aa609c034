import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startHarness, type Harness } from '../support/harness.js';

// What POST /conversations passes on to Tavus in `properties`, under the caps the operator set.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { TAVUS_MAX_CALL_DURATION: '15m' } });
});
afterAll(async () => {
  await h.close();
});

async function create(properties: unknown) {
  const body = { scenarioId: h.scenarioId, replicaId: 'r-test', ...(properties === undefined ? {} : { properties }) };
  return h.post('/conversations', body, { authorization: `Bearer ${await h.tokenFor(randomUUID())}` });
}

const sentProperties = () => h.tavus.created.at(-1)!.body.properties;

describe('properties on POST /conversations', () => {
  it('sends the cap as max_call_duration when none is asked for, and recording off', async () => {
    expect((await create(undefined)).status).toBe(201);
    expect(sentProperties()).toEqual({ max_call_duration: 900, enable_recording: false });
  });

  it('passes on what is allowed, within the caps', async () => {
    const properties = { max_call_duration: 600, participant_left_timeout: 20, language: 'multilingual', enable_closed_captions: true };
    expect((await create(properties)).status).toBe(201);
    expect(sentProperties()).toEqual({ ...properties, enable_recording: false });
  });

  it.each([
    ['a call longer than the cap', { max_call_duration: 901 }, 'properties.max_call_duration', /at most 900 seconds/],
    ['recording, which this service does not allow', { enable_recording: true }, 'properties.enable_recording', /recording is not allowed/],
    ['a key not on the list', { recording_s3_bucket_name: 'elsewhere' }, 'properties.recording_s3_bucket_name', /is not a property you may set/],
    ['a prototype key', JSON.parse('{"__proto__": {"enable_recording": true}}'), 'properties.__proto__', /is not a property you may set/],
    ['something that is not an object', ['max_call_duration'], 'properties', /expected object/],
  ])('refuses %s with a 400 naming the field, and asks Tavus nothing', async (_name, properties, field, message) => {
    const before = h.tavus.created.length;
    const response = await create(properties);
    expect(response.status).toBe(400);
    const problem = await json(response);
    expect(problem.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(problem.detail).toContain(field);
    expect(h.tavus.created.length).toBe(before);
  });
});
