import { createHash, randomBytes } from 'node:crypto';
import { openedData, testKeyring } from '../support/keys.js';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import type { AwaitingCopy } from '../../src/reactors/recordings/awaitingCopies.js';
import { copyAndRecord } from '../../src/reactors/recordings/copyAndRecord.js';
import { s3Client } from '../../src/storage/s3.js';
import { createTestDatabase } from '../support/db.js';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// A 256 MB recording copied the way the reactor copies one (copyAndRecord: streamed multipart copy,
// read back and checked, RecordingStored appended), with this process's resident memory sampled
// throughout: it may not grow by 150 MB. A bound on memory, not on time; the figures are printed.
// The S3 stand-in runs in this process too, so its buffers count against the bound as well.

const SIZE = 256 * 1024 * 1024;
const BOUND = 150 * 1024 * 1024;
const MiB = 1024 * 1024;

let s3: S3StandIn;
let database: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  s3 = await startS3StandIn();
  database = await createTestDatabase();
});
afterAll(async () => {
  await s3?.close();
  await database?.drop();
});

/** SIZE bytes, a fresh random MiB at a time, hashed as they go. */
function recording(hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      const chunk = randomBytes(Math.min(MiB, SIZE - sent));
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

describe('a 256 MB recording', () => {
  it('is copied and checked without the process growing by 150 MB', { timeout: 240_000 }, async () => {
    const key = 'tavus.daily.co/room/large';
    const written = createHash('sha256');
    await s3.put(TAVUS_BUCKET, key, recording(written), { contentLength: SIZE, contentType: 'video/mp4' });
    const sha256 = written.digest('hex');

    const env = s3.env();
    const access = (endpoint: string, bucket: string) => ({
      endpoint,
      region: 'us-east-1',
      bucket,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const pool = createPool(database.url, { max: 2 });
    const deps = {
      pool,
      keyring: testKeyring(),
      tavus: { client: s3Client(access(env.TAVUS_RECORDING_S3_ENDPOINT!, TAVUS_BUCKET)), bucket: TAVUS_BUCKET },
      storage: { client: s3Client(access(env.RECORDINGS_S3_ENDPOINT!, APP_BUCKET)), bucket: APP_BUCKET },
      now: Date.now,
    };
    const row: AwaitingCopy = {
      conversation_id: '01900000-0000-7000-8000-000000000256',
      stream_id: 'conversation-large',
      source_bucket: TAVUS_BUCKET,
      source_key: key,
      position: '1',
      duration_seconds: 1800,
      parked_attempts: null,
    };

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = performance.now();
    try {
      const done = await copyAndRecord(deps, row, new AbortController().signal);
      expect(done).toMatchObject({ kind: 'stored', bytes: SIZE });
    } finally {
      clearInterval(sampler);
      deps.tavus.client.destroy();
      deps.storage.client.destroy();
    }
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);

    const stored = await openedData(pool, row.stream_id, 'RecordingStored');
    await pool.end();
    expect(stored).toEqual([expect.objectContaining({ bytes: SIZE, sha256, source: { bucket: TAVUS_BUCKET, key } })]);
    const growth = peak - before;
    console.log(
      `256 MB copy: RSS ${Math.round(before / MiB)} MB before, peak ${Math.round(peak / MiB)} MB (+${Math.round(growth / MiB)} MB); ` +
        `${seconds.toFixed(1)} s, ${Math.round(SIZE / MiB / seconds)} MB/s copied and read back`,
    );
    expect(growth).toBeLessThan(BOUND);
  });
});
