import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CopyMismatchError, ShortReadError, StoreFailure, type Side } from './failures.js';
import { Measure } from './measure.js';

// Copies one object from one store to another, streamed: the source's body flows through a counter
// and hash into a multipart upload of a few parts at a time, so a recording of any size costs the
// same few tens of megabytes. Then the copy is read back, streamed
// too, and must be what was read: as many bytes as the source announced, and the same bytes
// (SHA-256). Reading it back costs a second transfer, and it is what proves the copy on any store
// (S3, Supabase Storage, R2, MinIO), whose ETags and checksums differ; a copy that fails the check
// is refused (CopyMismatchError), never recorded, and copied again later.

export interface ObjectRef {
  client: S3Client;
  bucket: string;
  key: string;
}

/** Where the copy goes: its key may depend on what it is (its content type, known once the source answers). */
export interface Destination {
  client: S3Client;
  bucket: string;
  keyFor: (contentType: string) => string;
}

export interface CopyOptions {
  signal: AbortSignal;
  /** The content type to store it with, from the one the source gave. */
  contentType: (sourceContentType: string | undefined) => string;
  /**
   * 5 MiB by default, S3's smallest part: 10,000 of them reach 50 GB, and memory follows the part
   * size (each part is held a few times over on its way: measured, 8 MiB parts cost 20 MB more).
   */
  partSize?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
}

export interface Copied {
  key: string;
  bytes: number;
  sha256: string;
  contentType: string;
}

const DISCARD = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** Runs a step, saying which store failed it. */
async function on<T>(side: Side, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw err instanceof StoreFailure ? err : new StoreFailure(side, err);
  }
}

export async function copyObject(from: ObjectRef, destination: Destination, options: CopyOptions): Promise<Copied> {
  const { signal } = options;
  const source = await on('tavus', () => from.client.send(new GetObjectCommand({ Bucket: from.bucket, Key: from.key }), { abortSignal: signal }));
  const body = source.Body as Readable;
  const read = new Measure();
  const contentType = options.contentType(source.ContentType);
  const to: ObjectRef = { client: destination.client, bucket: destination.bucket, key: destination.keyFor(contentType) };
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client: to.client,
    params: { Bucket: to.bucket, Key: to.key, Body: read, ContentType: contentType },
    partSize: options.partSize ?? 5 * 1024 * 1024,
    queueSize: options.queueSize ?? 2,
    leavePartsOnError: false,
    abortController: abort,
  });
  // A source that breaks off fails the upload through the stream (pipeline destroys `read` with its
  // error); an upload that fails ends the reading in `finally`. Either way one error is thrown.
  const reading = pipeline(body, read);
  reading.catch(() => {});
  try {
    await upload.done();
    await reading;
  } catch (err) {
    throw new StoreFailure(body.errored ? 'tavus' : 'storage', body.errored ?? err);
  } finally {
    signal.removeEventListener('abort', onAbort);
    body.destroy();
    read.destroy();
  }
  if (source.ContentLength !== undefined && read.bytes !== source.ContentLength) {
    throw new StoreFailure('tavus', new ShortReadError(`read ${read.bytes} bytes of the ${source.ContentLength} the source announced`));
  }
  const sha256 = read.sha256();
  const check = await on('storage', () => readBack(to, signal));
  if (check.bytes !== read.bytes || check.sha256 !== sha256) {
    const says = `the copy holds ${check.bytes} bytes (sha256 ${check.sha256.slice(0, 12)}…), not the ${read.bytes} read (${sha256.slice(0, 12)}…)`;
    throw new StoreFailure('storage', new CopyMismatchError(says));
  }
  return { key: to.key, bytes: read.bytes, sha256, contentType };
}

/** Length and SHA-256 of an object as the store serves it, streamed. */
export async function readBack(object: ObjectRef, signal: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  const answer = await object.client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }), { abortSignal: signal });
  const measure = new Measure();
  await pipeline(answer.Body as Readable, measure, DISCARD());
  return { bytes: measure.bytes, sha256: measure.sha256() };
}
