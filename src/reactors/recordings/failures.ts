import { S3ServiceException } from '@aws-sdk/client-s3';

// Which failures of a copy are worth another try. `retryable` ones are tried again after a backoff
// and parked when they persist; the others fail the same way until an operator changes something
// (credentials, a bucket policy, the configuration), so they are parked at once. Messages say what
// failed and what to check, and never name the object (recording keys are not for logs).

export type FailureKind =
  | 'not-there-yet' // the Tavus bucket does not hold the object (yet)
  | 'unavailable' // a store unreachable, timing out, 5xx, throttling
  | 'mismatch' // the copy read back differs from what was read, or the source broke off
  | 'refused' // credentials or permissions
  | 'no-bucket' // a bucket that does not exist
  | 'foreign-bucket' // the recording is not in TAVUS_RECORDING_BUCKET
  | 'aborted' // our own stop
  | 'unexpected';

/** Which store failed: the bucket Tavus writes to, or the app's storage. */
export type Side = 'tavus' | 'storage';

/** The copy read back is not what was read: refused, and worth another try. */
export class CopyMismatchError extends Error {
  override name = 'CopyMismatchError';
}

/** The source ended before the length it announced: refused, and worth another try. */
export class ShortReadError extends Error {
  override name = 'ShortReadError';
}

/** A step of a copy failed, in the store named. */
export class StoreFailure extends Error {
  override name = 'StoreFailure';
  constructor(
    readonly side: Side,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface CopyFailure {
  kind: FailureKind;
  retryable: boolean;
  message: string;
}

const WHERE: Record<Side, string> = { tavus: 'the Tavus bucket (TAVUS_RECORDING_S3_*)', storage: "the app's storage (RECORDINGS_S3_*)" };
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, name } = err as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : undefined;
}

/** `side`: the store to blame when the error does not say (a StoreFailure does). */
export function classify(failure: unknown, signal?: AbortSignal, fallbackSide: Side = 'storage'): CopyFailure {
  const side = failure instanceof StoreFailure ? failure.side : fallbackSide;
  const err = failure instanceof StoreFailure ? failure.cause : failure;
  const where = WHERE[side];
  if (signal?.aborted) return { kind: 'aborted', retryable: true, message: 'the copy was stopped' };
  if (err instanceof CopyMismatchError || err instanceof ShortReadError)
    return { kind: 'mismatch', retryable: true, message: `the copy was refused: ${err.message}` };
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    const detail = `${err.name}${status ? ` (${status})` : ''}`;
    if (err.name === 'NoSuchKey' || (side === 'tavus' && status === 404 && err.name !== 'NoSuchBucket')) {
      return { kind: 'not-there-yet', retryable: true, message: `${where} does not hold the recording yet: ${detail}` };
    }
    if (err.name === 'NoSuchBucket') return { kind: 'no-bucket', retryable: false, message: `${where}: the bucket does not exist (${detail}); check its name` };
    if (status === 401 || status === 403 || ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(err.name)) {
      return {
        kind: 'refused',
        retryable: false,
        message: `${where} refused the credentials or the permission: ${detail}; check the keys and the bucket policy`,
      };
    }
    if (err.$retryable || status === undefined || status >= 500 || status === 429 || status === 408) {
      return { kind: 'unavailable', retryable: true, message: `${where} failed: ${detail}` };
    }
    return { kind: 'unexpected', retryable: true, message: `${where} answered ${detail}: ${err.message}` };
  }
  const code = codeOf(err);
  if ((code && (NETWORK.has(code) || code === 'TimeoutError')) || (err instanceof Error && /socket|timed? ?out|network/i.test(err.message))) {
    return { kind: 'unavailable', retryable: true, message: `${where} could not be reached: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { kind: 'unexpected', retryable: true, message: `${where}: ${err instanceof Error ? err.message : String(err)}` };
}
