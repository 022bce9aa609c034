import { S3Client } from '@aws-sdk/client-s3';
import type { S3Access } from '../config.js';

// One S3 client a store: the app's storage (RECORDINGS_S3_*) and the bucket Tavus writes to
// (TAVUS_RECORDING_S3_*). Without keys the SDK's default chain answers (environment, profile, an
// instance or task role), which is how a service running on AWS reads the Tavus bucket.

export interface ClientOptions {
  /** Attempts per request, the SDK's own retries included (its default: 3). */
  maxAttempts?: number;
  /** A socket that connects no faster than this, or goes quiet this long, fails the request. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function s3Client(access: S3Access, options: ClientOptions = {}): S3Client {
  return new S3Client({
    region: access.region,
    ...(access.endpoint ? { endpoint: access.endpoint } : {}),
    forcePathStyle: access.forcePathStyle,
    ...(access.credentials ? { credentials: access.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5_000, requestTimeout: options.requestTimeoutMs ?? 60_000 },
  });
}
