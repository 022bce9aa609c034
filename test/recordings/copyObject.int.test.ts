import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyObject } from '../../src/reactors/recordings/copyObject.js';
import { classify } from '../../src/reactors/recordings/failures.js';
import { s3Client } from '../../src/storage/s3.js';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// The streamed copy against the S3 stand-in: single and multipart, the copy read back and checked,
// refused when the store keeps something else, and each failure named by the store that failed.

let s3: S3StandIn;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const clients = () => {
  const env = s3.env();
  const access = (endpoint: string, bucket: string) => ({
    endpoint,
    region: 'us-east-1',
    bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    tavus: s3Client(access(env.TAVUS_RECORDING_S3_ENDPOINT!, TAVUS_BUCKET), { maxAttempts: 1 }),
    storage: s3Client(access(env.RECORDINGS_S3_ENDPOINT!, APP_BUCKET), { maxAttempts: 1 }),
  };
};

beforeAll(async () => {
  s3 = await startS3StandIn();
});
afterAll(async () => {
  await s3.close();
});

async function copy(sourceKey: string) {
  const { tavus, storage } = clients();
  const key = `copies/${randomUUID()}`;
  try {
    const copied = await copyObject(
      { client: tavus, bucket: TAVUS_BUCKET, key: sourceKey },
      { client: storage, bucket: APP_BUCKET, keyFor: () => key },
      { signal: new AbortController().signal, contentType: (said) => said ?? 'video/mp4', partSize: 5 * 1024 * 1024 },
    );
    return { copied, key };
  } finally {
    tavus.destroy();
    storage.destroy();
  }
}

describe('copying an object between stores', () => {
  it('stores a streamed upload as its bytes (the stand-in decodes aws-chunked)', async () => {
    const bytes = randomBytes(100_000);
    await s3.put(TAVUS_BUCKET, 'streamed', Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]), { contentLength: bytes.length });
    expect((await s3.get(TAVUS_BUCKET, 'streamed')).equals(bytes)).toBe(true);
  });

  it.each([
    ['in one part', 300_000],
    ['in parts', 12 * 1024 * 1024 + 17],
  ])('copies %s, and what it records is what is stored', async (_how, size) => {
    const bytes = randomBytes(size);
    const sourceKey = `d/room/${size}`;
    await s3.put(TAVUS_BUCKET, sourceKey, bytes, { contentType: 'video/mp4' });
    const { copied, key } = await copy(sourceKey);
    expect(copied).toEqual({ key, bytes: size, sha256: sha256(bytes), contentType: 'video/mp4' });
    expect(sha256(await s3.get(APP_BUCKET, key))).toBe(sha256(bytes));
  });

  it('refuses a copy the store keeps wrong, blaming the storage', async () => {
    await s3.put(TAVUS_BUCKET, 'd/room/damaged', randomBytes(50_000));
    s3.corrupt(APP_BUCKET, true);
    try {
      const failure = await copy('d/room/damaged').catch((err: unknown) => classify(err));
      expect(failure).toMatchObject({ kind: 'mismatch', retryable: true, message: expect.stringMatching(/^the copy was refused: the copy holds 50000 bytes/) });
    } finally {
      s3.corrupt(APP_BUCKET, false);
    }
  });

  it('names an object not in the Tavus bucket yet, and a store that cannot be reached', async () => {
    expect(await copy('d/room/late').catch((err: unknown) => classify(err))).toMatchObject({ kind: 'not-there-yet', retryable: true });
    await s3.put(TAVUS_BUCKET, 'd/room/unreachable', randomBytes(1000));
    s3.storage.down();
    try {
      const failure = await copy('d/room/unreachable').catch((err: unknown) => classify(err));
      expect(failure).toMatchObject({ kind: 'unavailable', retryable: true, message: expect.stringContaining("the app's storage") });
    } finally {
      s3.storage.up();
    }
  });
});
