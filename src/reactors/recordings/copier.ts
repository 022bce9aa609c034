import type pg from 'pg';
import type { Keyring } from '../../privacy/keyring.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { readAwaitingCopies, withoutStored, type AwaitingCopy } from './awaitingCopies.js';
import { copyAndRecord } from './copyAndRecord.js';
import { classify, StoreFailure, type CopyFailure } from './failures.js';
import { parkCopy, unparkCopy } from './parking.js';

// Copies recordings still missing from the app's storage, a few at a time, and appends each one's
// RecordingStored (through the store: the conversations projection then folds it in). Each
// recording is its own task, so one failing never holds up the others.
//
// A failure that may pass (the object not in the Tavus bucket yet, a store down, a copy that read
// back wrong) is tried again after a backoff, doubling; after `parkAfter` rounds, or at once for one
// waiting will not fix (credentials refused, no such bucket, a bucket not ours), the stream is
// parked in dead_letters as reactor:recordings@1, where an operator sees it and asks for a retry
// (`deadletters retry`, `recordings retry`). Parked for a failure that may pass, it is also tried
// again by itself after `parkedRetryMs`.

export interface BackoffPolicy {
  /** Wait after the first failed round: doubles each round, at most maxMs. */
  baseMs: number;
  maxMs: number;
  /** Failed rounds (each already retried inside the S3 client) before the stream is parked. */
  parkAfter: number;
  /** When a stream parked for a failure that may pass is tried again by itself. */
  parkedRetryMs: number;
}

// Tavus sends recording_ready once the file is in the bucket, so "not there yet" is rare and short:
// 10 s doubling covers five minutes before parking; a store down longer is retried hourly.
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 10 * 60_000, parkAfter: 6, parkedRetryMs: 60 * 60_000 };

export type CopyOutcome =
  | { kind: 'stored'; streamId: string; bytes: number; ms: number }
  /** Copied, and another copy's RecordingStored was in the history first: one fact, nothing appended. */
  | { kind: 'already-stored'; streamId: string }
  | { kind: 'deferred'; streamId: string; failure: CopyFailure; retryInMs: number }
  | { kind: 'parked'; streamId: string; failure: CopyFailure; retryInMs: number | null }
  | { kind: 'aborted'; streamId: string };

export interface CopierMetrics {
  outcomes: Record<Exclude<CopyOutcome['kind'], 'aborted'>, number>;
  bytesStored: number;
}

export interface CopierOptions {
  pool: pg.Pool;
  keyring: Keyring;
  /** The bucket Tavus writes to; recordings named in another bucket are not copied. */
  tavus: { client: S3Client; bucket: string };
  /** The app's storage. */
  storage: { client: S3Client; bucket: string };
  /** Recordings copied at once: each moves a whole file, so a few. */
  slots?: number;
  backoff?: Partial<BackoffPolicy>;
  partSize?: number;
  queueSize?: number;
  /** Wall-clock ms: when backoffs end, and when copies were stored. */
  now?: () => number;
  onOutcome?: (outcome: CopyOutcome) => void;
  /** A task ended, so a slot is free. */
  onSlotFree?: () => void;
  onError?: (err: unknown) => void;
}

interface Backoff {
  rounds: number;
  notBefore: number;
}

export class Copier {
  private readonly policy: BackoffPolicy;
  private readonly slots: number;
  private readonly now: () => number;
  // By the row's position.
  private readonly running = new Map<string, Promise<void>>();
  private readonly backoffs = new Map<string, Backoff>();
  private filling: Promise<unknown> = Promise.resolve();
  private readonly counts: CopierMetrics = { outcomes: { stored: 0, 'already-stored': 0, deferred: 0, parked: 0 }, bytesStored: 0 };

  constructor(private readonly options: CopierOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.slots = options.slots ?? 2;
    this.now = options.now ?? Date.now;
  }

  get busy(): number {
    return this.running.size;
  }

  metrics(): CopierMetrics {
    return { outcomes: { ...this.counts.outcomes }, bytesStored: this.counts.bytesStored };
  }

  /** The earliest instant (ms) a recording now backing off may be tried again. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const b of this.backoffs.values()) if (next === undefined || b.notBefore < next) next = b.notBefore;
    return next;
  }

  /**
   * Starts copies of awaiting recordings until the slots are full or none is due. One fill at a
   * time: two reading the same rows would start the same copy twice.
   */
  fill(signal: AbortSignal): Promise<void> {
    const next = this.filling.then(() => this.fillOnce(signal));
    this.filling = next.catch(() => {});
    return next;
  }

  /**
   * Fills and waits until nothing runs and a fill starts nothing: every recording due has been
   * tried, and what failed is backing off or parked. For tests and the CLI, so nobody sleeps.
   */
  async settled(signal: AbortSignal): Promise<void> {
    for (;;) {
      await this.fill(signal);
      if (this.running.size === 0) return;
      await Promise.race(this.running.values());
    }
  }

  /** Resolves when every running copy has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async fillOnce(signal: AbortSignal): Promise<void> {
    let after: string | undefined;
    while (!signal.aborted && this.running.size < this.slots) {
      const limit = this.slots - this.running.size;
      const now = this.now();
      const notDue = [...this.backoffs].filter(([, b]) => b.notBefore > now).map(([position]) => position);
      const rows = await readAwaitingCopies(this.options.pool, { after, exclude: [...this.running.keys(), ...notDue], limit });
      for (const row of await withoutStored(this.options.pool, this.options.keyring, rows)) {
        const task = this.copy(row, signal).finally(() => {
          this.running.delete(row.position);
          this.options.onSlotFree?.();
        });
        this.running.set(row.position, task);
      }
      if (rows.length < limit) {
        // Every due row still awaiting was just read: a due backoff not started no longer awaits
        // (stored by another instance, say), and is forgotten.
        for (const [position, b] of this.backoffs) if (b.notBefore <= now && !this.running.has(position)) this.backoffs.delete(position);
        break;
      }
      after = rows[rows.length - 1]!.position;
    }
  }

  private async copy(row: AwaitingCopy, signal: AbortSignal): Promise<void> {
    const streamId = row.stream_id;
    const { tavus, storage } = this.options;
    if (row.source_bucket !== tavus.bucket) {
      const message = `the recording is in bucket ${row.source_bucket}, not in TAVUS_RECORDING_BUCKET (${tavus.bucket}): it is not copied from a bucket the service was not given`;
      return this.park(row, { kind: 'foreign-bucket', retryable: false, message }, null).catch((e) => this.options.onError?.(e));
    }
    try {
      const done = await copyAndRecord(
        {
          pool: this.options.pool,
          keyring: this.options.keyring,
          tavus,
          storage,
          partSize: this.options.partSize,
          queueSize: this.options.queueSize,
          now: this.now,
        },
        row,
        signal,
      );
      this.backoffs.delete(row.position);
      if (row.parked_attempts !== null) await unparkCopy(this.options.pool, streamId);
      if (done.kind === 'stored') this.counts.bytesStored += done.bytes;
      return this.report({ ...done, streamId });
    } catch (err) {
      if (err instanceof StoreFailure || signal.aborted) return await this.failed(row, classify(err, signal));
      if (isDatabaseUnavailable(err)) {
        // Nothing is lost: the row stays copying and is tried again once the database is back.
        this.backoffs.set(row.position, { rounds: this.backoffs.get(row.position)?.rounds ?? 0, notBefore: this.now() + this.policy.baseMs });
        this.options.onError?.(err);
        return;
      }
      // A fact the store refuses will be refused again.
      const message = `the copy could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
      await this.park(row, { kind: 'unexpected', retryable: false, message }, null).catch((e) => this.options.onError?.(e));
    }
  }

  private async failed(row: AwaitingCopy, failure: CopyFailure): Promise<void> {
    const streamId = row.stream_id;
    // Our own stop: not the store's failure, tried again by whoever holds the lease next.
    if (failure.kind === 'aborted') return this.options.onOutcome?.({ kind: 'aborted', streamId });
    try {
      if (!failure.retryable) return await this.park(row, failure, null);
      const rounds = (this.backoffs.get(row.position)?.rounds ?? 0) + 1;
      // Parked before and failing again when due: back to the dead letters until the next time.
      if (rounds >= this.policy.parkAfter || row.parked_attempts !== null) return await this.park(row, failure, this.policy.parkedRetryMs);
      const retryInMs = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (rounds - 1));
      this.backoffs.set(row.position, { rounds, notBefore: this.now() + retryInMs });
      this.report({ kind: 'deferred', streamId, failure, retryInMs });
    } catch (err) {
      // Parking failed (the database is down): back off and try the copy again then.
      this.backoffs.set(row.position, { rounds: this.backoffs.get(row.position)?.rounds ?? 0, notBefore: this.now() + this.policy.baseMs });
      this.options.onError?.(err);
    }
  }

  private async park(row: AwaitingCopy, failure: CopyFailure, retryInMs: number | null): Promise<void> {
    await parkCopy(this.options.pool, row.stream_id, row.position, `${failure.kind}: ${failure.message}`, retryInMs);
    this.backoffs.delete(row.position);
    this.report({ kind: 'parked', streamId: row.stream_id, failure, retryInMs });
  }

  private report(outcome: Exclude<CopyOutcome, { kind: 'aborted' }>): void {
    this.counts.outcomes[outcome.kind] += 1;
    this.options.onOutcome?.(outcome);
  }
}
