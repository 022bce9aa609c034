import type pg from 'pg';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Keyring } from '../../privacy/keyring.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { recordingsStored } from '../../commands/recordRecordingStored.js';
import { describeRejection } from '../../commands/rejections.js';
import { tavusIdOfStream } from '../../events/streams.js';
import type { AwaitingCopy } from './awaitingCopies.js';
import { copyObject } from './copyObject.js';
import { contentTypeOf, destinationKey } from './destination.js';

// One recording: copied from the Tavus bucket into the app's storage, checked, and its
// RecordingStored appended. Two of these for the same recording at once (two instances
// overlapping for a moment) write the same key with the same bytes and append one fact: the
// second finds its idempotency key taken and appends nothing. Failures are thrown (StoreFailure
// for the stores', the database's as they come); what to do about them is the copier's.

export interface CopyDeps {
  pool: pg.Pool;
  keyring: Keyring;
  tavus: { client: S3Client; bucket: string };
  storage: { client: S3Client; bucket: string };
  partSize?: number;
  queueSize?: number;
  /** Wall-clock ms: when the copy was stored. */
  now: () => number;
}

export type Recorded = { kind: 'stored'; bytes: number; ms: number } | { kind: 'already-stored' };

export async function copyAndRecord(deps: CopyDeps, row: AwaitingCopy, signal: AbortSignal): Promise<Recorded> {
  const started = performance.now();
  const source = { bucket: row.source_bucket, key: row.source_key };
  const { tavus, storage } = deps;
  const copied = await copyObject(
    { client: tavus.client, ...source },
    { client: storage.client, bucket: storage.bucket, keyFor: (contentType) => destinationKey(row.conversation_id, source, contentType) },
    { signal, contentType: (said) => contentTypeOf(source.key, said), partSize: deps.partSize, queueSize: deps.queueSize },
  );
  const outcome = await recordingsStored(deps.pool, deps.keyring).submit({
    tavusConversationId: tavusIdOfStream(row.stream_id),
    stored: {
      source,
      bucket: storage.bucket,
      key: copied.key,
      bytes: copied.bytes,
      sha256: copied.sha256,
      contentType: copied.contentType,
      durationSeconds: row.duration_seconds,
    },
    storedAt: new Date(deps.now()),
  });
  if (outcome.outcome === 'rejected') throw new Error(`the copy could not be recorded: ${describeRejection(outcome.rejection)}`);
  if (outcome.erased) {
    // Erased while it was being copied: the copy must not outlive it.
    await storage.client.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: copied.key }));
    return { kind: 'already-stored' };
  }
  if (outcome.appended === 0) return { kind: 'already-stored' };
  return { kind: 'stored', bytes: copied.bytes, ms: Math.round(performance.now() - started) };
}
