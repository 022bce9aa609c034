import type pg from 'pg';
import type { Logger } from 'pino';
import type { RecordingsConfig } from '../../config.js';
import { createPool } from '../../db/pool.js';
import { AppendWaker } from '../../events/appendWaker.js';
import { Lease, type LeasedJob } from '../lease.js';
import { RECORDINGS_REACTOR } from './awaitingCopies.js';
import { Copier, type BackoffPolicy, type CopierMetrics, type CopyOutcome } from './copier.js';
import { s3Client, type ClientOptions } from '../../storage/s3.js';

// The recordings reactor as the service runs it: connections of its own, the two S3 clients built
// from the configuration, under a lease so one instance copies at a time (another takes over within
// the lease's time to live when it dies; what it was copying is copied again, to the same key).
//
// Its wake-ups are all here, in RecordingsJob: the AppendWaker (NOTIFY of any append, a poll as the
// fallback) while the lease is held, a timer for the next backoff that ends, and a copy ending.
// Rows appear once the conversations projection has folded a RecordingReady, a moment after its
// NOTIFY, so the poll is what finds most of them: recordings come minutes after a call, and a few
// seconds more do not matter.

export const RECORDINGS_LEASE = RECORDINGS_REACTOR.slice('reactor:'.length);

export interface RecordingsOverrides {
  backoff?: Partial<BackoffPolicy>;
  pollIntervalMs?: number;
  leaseTtlMs?: number;
  slots?: number;
  partSize?: number;
  client?: ClientOptions;
  now?: () => number;
  /** Every outcome, after it is logged (tests wait on them). */
  onOutcome?: (outcome: CopyOutcome) => void;
}

export interface RecordingsHandle {
  job: RecordingsJob;
  lease: Lease;
  metrics(): CopierMetrics;
  stop(): Promise<void>;
}

/** What runs while this instance holds the lease. */
export class RecordingsJob implements LeasedJob {
  private waker: AppendWaker | undefined;
  private abort = new AbortController();
  private dueTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly copier: Copier,
    private readonly options: { pool: pg.Pool; pollIntervalMs: number; now: () => number; onError: (err: unknown) => void },
  ) {}

  async start(): Promise<void> {
    this.abort = new AbortController();
    this.waker = new AppendWaker(this.options.pool, () => this.pass(), { pollIntervalMs: this.options.pollIntervalMs, onListenError: this.options.onError });
    await this.waker.start();
  }

  async stop(): Promise<void> {
    const waker = this.waker;
    this.waker = undefined;
    clearTimeout(this.dueTimer);
    // Copies in flight end as aborted: not failures, copied again by whoever holds the lease next.
    this.abort.abort();
    await waker?.stop();
    // A fill under way may still start a copy (which ends at once, aborted): wait for it, then for the copies.
    await this.copier.fill(this.abort.signal).catch(() => {});
    await this.copier.idle();
  }

  /** A copy ended or a backoff is over: fill the free slots soon. */
  wake(): void {
    this.waker?.wake();
  }

  /** Copies everything due now and waits for those copies to end (tests); at once where the lease is not held. */
  async settled(): Promise<void> {
    if (this.waker) await this.copier.settled(this.abort.signal);
  }

  private async pass(): Promise<void> {
    try {
      await this.copier.fill(this.abort.signal);
    } catch (err) {
      this.options.onError(err);
    }
    this.scheduleDue();
  }

  private scheduleDue(): void {
    const due = this.copier.nextDue();
    clearTimeout(this.dueTimer);
    if (due === undefined || this.waker === undefined) return;
    this.dueTimer = setTimeout(() => this.wake(), Math.max(0, due - this.options.now()) + 10);
    this.dueTimer.unref();
  }
}

export function logOutcome(log: Logger, outcome: CopyOutcome): void {
  // Stream ids only: a recording's key and URLs are not for logs.
  switch (outcome.kind) {
    case 'stored':
      return log.info({ streamId: outcome.streamId, bytes: outcome.bytes, ms: outcome.ms }, 'recordings: a recording was copied and checked');
    case 'deferred':
      return log.warn(
        { streamId: outcome.streamId, failure: outcome.failure.kind, reason: outcome.failure.message, retryInMs: outcome.retryInMs },
        'recordings: a copy failed; trying again later',
      );
    case 'parked':
      return log.warn(
        { streamId: outcome.streamId, failure: outcome.failure.kind, reason: outcome.failure.message, retryInMs: outcome.retryInMs },
        'recordings: a copy keeps failing; it is parked (tavus-feedback recordings status), the others go on',
      );
    default:
      return;
  }
}

export async function startRecordingsReactor(
  databaseUrl: string,
  config: RecordingsConfig,
  log: Logger,
  /** This instance's name in the leases table. */
  owner: string,
  overrides: RecordingsOverrides = {},
): Promise<RecordingsHandle> {
  // One connection more than the listener and the copies' appends take, so renewals never wait.
  const pool = createPool(databaseUrl, { max: 4, applicationName: `tavus-feedback ${RECORDINGS_LEASE}`, statementTimeoutMs: 10_000 });
  const tavus = s3Client(config.tavus, overrides.client);
  const storage = s3Client(config.storage, overrides.client);
  const now = overrides.now ?? Date.now;
  const onError = (err: unknown) => log.error({ err }, 'recordings: the reactor failed; it tries again at the next poll');
  const copier: Copier = new Copier({
    pool,
    tavus: { client: tavus, bucket: config.tavus.bucket },
    storage: { client: storage, bucket: config.storage.bucket },
    slots: overrides.slots,
    backoff: overrides.backoff,
    partSize: overrides.partSize,
    now,
    onOutcome: (o) => {
      logOutcome(log, o);
      overrides.onOutcome?.(o);
    },
    onSlotFree: () => job.wake(),
    onError,
  });
  const job = new RecordingsJob(copier, { pool, pollIntervalMs: overrides.pollIntervalMs ?? 5_000, now, onError });
  const lease = new Lease(
    pool,
    {
      name: RECORDINGS_LEASE,
      owner,
      ttlMs: overrides.leaseTtlMs,
      onChange: (held) => log.info({ held }, held ? 'recordings: this instance copies recordings' : 'recordings: stopped copying'),
      onError: (err) => log.error({ err }, 'recordings: the lease failed; trying again'),
    },
    job,
  );
  await lease.start();
  return {
    job,
    lease,
    metrics: () => copier.metrics(),
    async stop() {
      await lease.stop();
      tavus.destroy();
      storage.destroy();
      await pool.end();
    },
  };
}
