import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { openedData } from '../support/keys.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { retryDeadLetters } from '../../src/cli/deadletters.js';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { Recording } from '../../src/http/openapi/answers.js';
import type { CopyOutcome } from '../../src/reactors/recordings/copier.js';
import { wildCallback } from '../support/callbacks.js';
import { callbackPath, json, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// Recordings end to end: a real service over real HTTP, with the S3 stand-in playing both the bucket
// Tavus writes to and the app's storage. Tavus is asked to record into its bucket; each
// recording_ready (either form) is copied once into the app's storage, checked, and served to its
// owner through a short-lived link; a store down, an object late, a copy kept wrong are tried again
// with backoff (short here) and parked when they persist, never recorded wrong.

let h: Harness;
let s3: S3StandIn;
const outcomes: CopyOutcome[] = [];
const waiters: { match: (o: CopyOutcome) => boolean; resolve: (o: CopyOutcome) => void }[] = [];

/** The first outcome (already reported or to come) of this stream and kind. */
function outcome(streamId: string, kind: CopyOutcome['kind']): Promise<CopyOutcome> {
  const match = (o: CopyOutcome) => o.streamId === streamId && o.kind === kind;
  const seen = outcomes.find(match);
  return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
}

function record(o: CopyOutcome) {
  outcomes.push(o);
  for (const w of waiters.splice(0)) {
    if (w.match(o)) w.resolve(o);
    else waiters.push(w);
  }
}

beforeAll(async () => {
  s3 = await startS3StandIn();
  h = await startHarness({
    env: s3.env(),
    serviceOptions: {
      recordings: {
        backoff: { baseMs: 50, maxMs: 200, parkAfter: 3, parkedRetryMs: 3_600_000 },
        // One attempt a request: the stand-in's failures reach the reactor at once.
        client: { maxAttempts: 1 },
        pollIntervalMs: 200,
        onOutcome: record,
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await s3?.close();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function conversation() {
  const user = randomUUID();
  const c = await h.startConversation(user);
  return { ...c, user, streamId: `conversation-${c.conversationId}`, path: callbackPath(c.callbackUrl) };
}

const oldForm = (tavusId: string, key: string, duration = 14) =>
  wildCallback('application.recording_ready', tavusId, { bucket_name: TAVUS_BUCKET, s3_key: key, duration });
const newForm = (tavusId: string, key: string) =>
  wildCallback('application.recording_ready', tavusId, { storage_provider: 's3', storage_uri: `s3://${TAVUS_BUCKET}/${key}` });

/** Everything committed is projected and the reactor has tried every copy due now. */
async function settle() {
  await h.service.runner.drain();
  await h.service.recordings!.job.settled();
  await h.service.runner.drain();
}

async function recordingOf(id: string, user: string) {
  const response = await h.get(`/conversations/${id}/recording`, user);
  return { status: response.status, body: await json(response) };
}

async function storedEvents(streamId: string) {
  return openedData(h.db, streamId, 'RecordingStored');
}

/** Requests that wrote an object into the app's storage for this conversation. */
const uploadsFor = (id: string) =>
  s3.requests.filter((r) => r.bucket === APP_BUCKET && r.key.startsWith(`recordings/${id}/`) && ['PutObject', 'CreateMultipartUpload'].includes(r.operation));

describe('recordings', () => {
  it('asks Tavus to record each conversation into its bucket, with the role it assumes', async () => {
    const c = await conversation();
    const sent = h.tavus.created.find((x) => x.answer.conversation_id === c.conversationId)!.body.properties;
    expect(sent).toMatchObject({
      enable_recording: true,
      recording_s3_bucket_name: TAVUS_BUCKET,
      recording_s3_bucket_region: 'us-east-1',
      aws_assume_role_arn: 'arn:aws:iam::123456789012:role/tavus-recordings',
    });
  });

  it('copies a recording named by bucket and key, once, however often it is announced, and serves it to its owner', async () => {
    const c = await conversation();
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    const key = `tavus.daily.co/${c.conversationId}/1750316118137`;
    await s3.put(TAVUS_BUCKET, key, bytes, { contentType: 'video/mp4' });
    for (const body of [oldForm(c.conversationId, key), oldForm(c.conversationId, key), newForm(c.conversationId, key)]) {
      expect((await h.post(c.path, body)).status).toBe(200);
    }
    await settle();

    const [stored, ...more] = await storedEvents(c.streamId);
    expect(more).toEqual([]);
    expect(stored).toMatchObject({ source: { bucket: TAVUS_BUCKET, key }, bucket: APP_BUCKET, bytes: bytes.length, sha256: sha256(bytes) });
    expect(stored).toMatchObject({ contentType: 'video/mp4', durationSeconds: 14 });
    expect(uploadsFor(c.id)).toHaveLength(1);

    const { status, body } = await recordingOf(c.id, c.user);
    expect(status).toBe(200);
    const answer = Recording.parse(body);
    expect(answer).toEqual({
      status: 'stored',
      url: expect.any(String),
      expiresAt: expect.any(String),
      bytes: bytes.length,
      sha256: sha256(bytes),
      contentType: 'video/mp4',
      durationSeconds: 14,
    });
    const expiresIn = Date.parse(answer.expiresAt!) - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);
    // The link opens the object in the app's storage, and nothing else is needed to.
    expect(new URL(answer.url!).port).toBe(String(s3.storage.port));
    const fetched = await fetch(answer.url!);
    expect(fetched.status).toBe(200);
    expect(sha256(Buffer.from(await fetched.arrayBuffer()))).toBe(sha256(bytes));

    const row = await json(await h.get(`/conversations/${c.id}`, c.user));
    expect(row.recording_url).toBe(`s3://${APP_BUCKET}/${stored!.key as string}`);
    // The console's player may load it from the storage, and media from nowhere else.
    const csp = (await fetch(`${h.service.url}/console/`)).headers.get('content-security-policy')!;
    expect(
      csp
        .split(';')
        .find((d) => d.trim().startsWith('media-src'))!
        .trim(),
    ).toBe(`media-src 'self' http://127.0.0.1:${s3.storage.port}`);
  });

  it('copies a recording named by storage URI, and answers the operator too, another user never', async () => {
    const c = await conversation();
    const bytes = randomBytes(200_000);
    const key = `tavus.daily.co/${c.conversationId}/1750316200000`;
    await s3.put(TAVUS_BUCKET, key, bytes);
    expect((await h.post(c.path, newForm(c.conversationId, key))).status).toBe(200);
    await settle();

    expect(await storedEvents(c.streamId)).toEqual([expect.objectContaining({ bytes: 200_000, sha256: sha256(bytes), durationSeconds: null })]);
    const operator = await fetch(`${h.service.url}/conversations/${c.id}/recording`, {
      headers: { authorization: `Bearer ${await issueServiceRoleToken(JWT_SECRET)}` },
    });
    expect(operator.status).toBe(200);
    expect(operator.headers.get('cache-control')).toBe('no-store');
    expect((await json(operator)).status).toBe('stored');
    const stranger = await recordingOf(c.id, randomUUID());
    expect(stranger.status).toBe(404);
    expect(stranger.body.detail).toBe(`no conversation ${c.id}`);
  });

  it('answers 404 for a conversation with no recording known', async () => {
    const c = await conversation();
    await h.service.runner.drain();
    const { status, body } = await recordingOf(c.id, c.user);
    expect(status).toBe(404);
    expect(body.detail).toBe('no recording of this conversation is known');
  });

  it("shows Tavus's copy failure with its error, and copies nothing", async () => {
    const c = await conversation();
    const failed = wildCallback('application.recording_copy_failed', c.conversationId, { error_message: 'Access Denied when writing to bucket' });
    expect((await h.post(c.path, failed)).status).toBe(200);
    await settle();
    expect(await recordingOf(c.id, c.user)).toEqual({ status: 200, body: { status: 'failed', error: 'Access Denied when writing to bucket' } });
    expect(uploadsFor(c.id)).toEqual([]);
  });

  it('waits for an object not in the Tavus bucket yet, and copies it once it is', async () => {
    const c = await conversation();
    const key = `tavus.daily.co/${c.conversationId}/late`;
    expect((await h.post(c.path, oldForm(c.conversationId, key))).status).toBe(200);
    await settle();
    const deferred = await outcome(c.streamId, 'deferred');
    expect(deferred).toMatchObject({ failure: { kind: 'not-there-yet' } });
    expect(await recordingOf(c.id, c.user)).toEqual({ status: 200, body: { status: 'copying', durationSeconds: 14 } });

    const bytes = randomBytes(50_000);
    await s3.put(TAVUS_BUCKET, key, bytes);
    // The backoff's timer tries again by itself.
    await outcome(c.streamId, 'stored');
    expect(await storedEvents(c.streamId)).toEqual([expect.objectContaining({ sha256: sha256(bytes) })]);
  });

  it('goes on taking callbacks while the storage is down, and copies once it is back', async () => {
    const c = await conversation();
    const key = `tavus.daily.co/${c.conversationId}/outage`;
    await s3.put(TAVUS_BUCKET, key, randomBytes(80_000));
    s3.storage.down();
    try {
      expect((await h.post(c.path, oldForm(c.conversationId, key))).status).toBe(200);
      await settle();
      expect(await outcome(c.streamId, 'deferred')).toMatchObject({ failure: { kind: 'unavailable', message: expect.stringContaining("the app's storage") } });
      const shutdown = wildCallback('system.shutdown', c.conversationId, { shutdown_reason: 'participant_left_timeout' });
      expect((await h.post(c.path, shutdown)).status).toBe(200);
      expect(await storedEvents(c.streamId)).toEqual([]);
    } finally {
      s3.storage.up();
    }
    await outcome(c.streamId, 'stored');
    expect(await storedEvents(c.streamId)).toHaveLength(1);
  });

  it('refuses a copy the storage keeps wrong, parks it when that persists, and copies it on retry', async () => {
    const c = await conversation();
    const key = `tavus.daily.co/${c.conversationId}/damaged`;
    const bytes = randomBytes(120_000);
    await s3.put(TAVUS_BUCKET, key, bytes);
    s3.corrupt(APP_BUCKET, true);
    try {
      expect((await h.post(c.path, oldForm(c.conversationId, key))).status).toBe(200);
      await settle();
      const parked = await outcome(c.streamId, 'parked');
      expect(parked).toMatchObject({ failure: { kind: 'mismatch', retryable: true } });
      expect(outcomes.filter((o) => o.streamId === c.streamId).map((o) => o.kind)).toEqual(['deferred', 'deferred', 'parked']);
      // Three copies were made and refused: none was ever recorded.
      expect(uploadsFor(c.id)).toHaveLength(3);
      expect(await storedEvents(c.streamId)).toEqual([]);
      expect((await recordingOf(c.id, c.user)).body.status).toBe('copying');
    } finally {
      s3.corrupt(APP_BUCKET, false);
    }

    const { rows } = await h.db.query(`SELECT error, attempts FROM dead_letters WHERE projection = 'reactor:recordings@1' AND stream_id = $1`, [c.streamId]);
    expect(rows).toEqual([{ error: expect.stringMatching(/^mismatch: the copy was refused: the copy holds 120000 bytes/), attempts: 1 }]);
    const samples = parsePrometheus(await (await fetch(`${h.service.url}/metrics`)).text());
    expect(sampleValue(samples, 'tavus_feedback_recordings_parked')).toBe(1);
    expect(sampleValue(samples, 'tavus_feedback_dead_letters')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tavus_feedback_recording_copies_total', { outcome: 'parked' })).toBeGreaterThanOrEqual(1);

    // The operator's retry, as `tavus-feedback deadletters retry` sends it (its report to the terminal muted).
    const said = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await retryDeadLetters(h.db, c.streamId)).toBe(true);
    expect(said).toHaveBeenCalledWith(`${c.streamId}  reactor:recordings@1: applied`);
    said.mockRestore();
    await outcome(c.streamId, 'stored');
    expect(await storedEvents(c.streamId)).toEqual([expect.objectContaining({ bytes: 120_000, sha256: sha256(bytes) })]);
    await h.service.runner.drain();
    expect((await recordingOf(c.id, c.user)).body).toMatchObject({ status: 'stored', sha256: sha256(bytes) });
    const after = parsePrometheus(await (await fetch(`${h.service.url}/metrics`)).text());
    expect(sampleValue(after, 'tavus_feedback_recordings_parked')).toBe(0);
    expect(sampleValue(after, 'tavus_feedback_recordings', { status: 'stored' })).toBeGreaterThanOrEqual(1);
  });

  it('never copies from a bucket the service was not given', async () => {
    const c = await conversation();
    const elsewhere = wildCallback('application.recording_ready', c.conversationId, { storage_provider: 's3', storage_uri: 's3://someone-elses/x' });
    expect((await h.post(c.path, elsewhere)).status).toBe(200);
    await settle();
    expect(await outcome(c.streamId, 'parked')).toMatchObject({ failure: { kind: 'foreign-bucket', retryable: false } });
    expect(s3.requests.filter((r) => r.bucket === 'someone-elses')).toEqual([]);
  });
});
