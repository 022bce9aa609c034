import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { openedData, testKeyring, TEST_DATA_KEK } from '../support/keys.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { readLeaseHolder } from '../../src/reactors/leaseRows.js';
import { readAwaitingCopies } from '../../src/reactors/recordings/awaitingCopies.js';
import { copyAndRecord } from '../../src/reactors/recordings/copyAndRecord.js';
import { RECORDINGS_LEASE } from '../../src/reactors/recordings/startRecordingsReactor.js';
import { startService, type Service } from '../../src/service.js';
import { s3Client } from '../../src/storage/s3.js';
import { wildCallback } from '../support/callbacks.js';
import { callbackPath, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// Two instances on one database: one holds the recordings lease and copies, the other copies
// nothing, and takes over when the first stops. And when two copies of one recording do overlap (a
// holder stalled while another took the lease), they write one object and record one fact.

let h: Harness;
let s3: S3StandIn;
let second: Service;

beforeAll(async () => {
  s3 = await startS3StandIn();
  h = await startHarness({ env: s3.env(), serviceOptions: { recordings: { leaseTtlMs: 1_000, pollIntervalMs: 200 } } });
  const config = loadConfig({
    PORT: '0',
    TAVUS_API_URL: h.tavus.url,
    TAVUS_API_KEY: h.tavus.apiKey,
    RECONCILE_INTERVAL_S: '0',
    DATA_KEK: TEST_DATA_KEK,
    ...s3.env(),
  });
  second = await startService(
    { ...config, databaseUrl: h.databaseUrl, jwtSecret: JWT_SECRET, publicUrl: 'http://feedback.test' },
    pino({ level: 'silent' }),
    undefined,
    { recordings: { leaseTtlMs: 1_000, pollIntervalMs: 200 } },
  );
});
afterAll(async () => {
  await second?.stop();
  await h?.close();
  await s3?.close();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const services = () => [h.service, second];

async function announced() {
  const user = randomUUID();
  const c = await h.startConversation(user);
  const key = `tavus.daily.co/${c.conversationId}/${Date.now()}`;
  const bytes = randomBytes(300_000);
  await s3.put(TAVUS_BUCKET, key, bytes);
  const body = wildCallback('application.recording_ready', c.conversationId, { bucket_name: TAVUS_BUCKET, s3_key: key, duration: 30 });
  expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
  await h.service.runner.drain();
  return { ...c, key, bytes, streamId: `conversation-${c.conversationId}` };
}

async function storedEvents(streamId: string) {
  return openedData(h.db, streamId, 'RecordingStored');
}

const uploadsFor = (id: string) =>
  s3.requests.filter((r) => r.bucket === APP_BUCKET && r.key.startsWith(`recordings/${id}/`) && ['PutObject', 'CreateMultipartUpload'].includes(r.operation));

describe('recordings with two instances', () => {
  it('are copied by the one holding the lease, once, and by the other once it stops', async () => {
    // One of them holds it; which one is the lease's choice.
    await Promise.race(services().map((s) => s.recordings!.lease.whenHeld()));
    expect(services().filter((s) => s.recordings!.lease.held)).toHaveLength(1);
    const holder = services().find((s) => s.recordings!.lease.held)!;
    const other = services().find((s) => s !== holder)!;

    const c = await announced();
    await Promise.all(services().map((s) => s.recordings!.job.settled()));
    expect(await storedEvents(c.streamId)).toEqual([expect.objectContaining({ bytes: c.bytes.length, sha256: sha256(c.bytes) })]);
    expect(uploadsFor(c.id)).toHaveLength(1);
    expect(other.recordings!.metrics().outcomes.stored).toBe(0);

    // A clean stop gives the lease back: the other takes over at its next renewal.
    await holder.recordings!.lease.stop();
    await other.recordings!.lease.whenHeld();
    expect((await readLeaseHolder(h.db, RECORDINGS_LEASE))?.expired).toBe(false);
    const d = await announced();
    await other.recordings!.job.settled();
    expect(await storedEvents(d.streamId)).toHaveLength(1);
    expect(other.recordings!.metrics().outcomes.stored).toBe(1);
  });

  it('record one copy when two overlap, both writing the same object', async () => {
    // No reactor runs: the two copies below are the only ones.
    for (const s of services()) await s.recordings!.lease.stop();
    const c = await announced();
    const [row] = (await readAwaitingCopies(h.db, { limit: 100 })).filter((r) => r.stream_id === c.streamId);
    expect(row).toBeDefined();
    const env = s3.env();
    const access = (endpoint: string, bucket: string) => ({
      endpoint,
      region: 'us-east-1',
      bucket,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const deps = () => ({
      pool: h.db,
      keyring: testKeyring(),
      tavus: { client: s3Client(access(env.TAVUS_RECORDING_S3_ENDPOINT!, TAVUS_BUCKET)), bucket: TAVUS_BUCKET },
      storage: { client: s3Client(access(env.RECORDINGS_S3_ENDPOINT!, APP_BUCKET)), bucket: APP_BUCKET },
      now: Date.now,
    });
    const [a, b] = [deps(), deps()];
    const signal = new AbortController().signal;
    const results = await Promise.all([copyAndRecord(a, row!, signal), copyAndRecord(b, row!, signal)]);
    for (const d of [a, b]) {
      d.tavus.client.destroy();
      d.storage.client.destroy();
    }

    expect(results.map((r) => r.kind).sort()).toEqual(['already-stored', 'stored']);
    const events = await storedEvents(c.streamId);
    expect(events).toEqual([expect.objectContaining({ bytes: c.bytes.length, sha256: sha256(c.bytes) })]);
    expect(uploadsFor(c.id).length).toBeGreaterThanOrEqual(2);
    // Both wrote the one key the recording has, with the same bytes.
    expect(new Set(uploadsFor(c.id).map((u) => u.key))).toEqual(new Set([events[0]!.key]));
    expect(sha256(await s3.get(APP_BUCKET, events[0]!.key as string))).toBe(sha256(c.bytes));
  });
});
