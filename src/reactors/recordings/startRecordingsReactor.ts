import type pg from 'pg';
import type { Logger } from 'pino';
import type { RecordingsConfig } from '../../config.js';
import type { DatabaseAccess } from '../../db/access.js';
import type { Listener } from '../../db/listener.js';
import { createPool } from '../../db/pool.js';
import { Wakeup } from '../../db/wakeup.js';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import { Lease, type LeasedJob } from '../lease.js';
import { RECORDINGS_REACTOR } from './awaitingCopies.js';
import { Copier, type BackoffPolicy, type CopierMetrics, type CopyOutcome } from './copier.js';
import { s3Client, type ClientOptions } from '../../storage/s3.js';

// The recordings reactor as the service runs it: connections of its own, the two S3 clients built
// from the configuration, under a lease so one instance copies at a time (another takes over within
// the lease's time to live when it dies; what it was copying is copied again, to the same key).
//
// Its wake-ups are all here, in RecordingsJob: the one wake-up (src/db/wakeup.ts) while the lease is
// held, a timer for the next backoff that ends, and a copy ending. Rows appear once the conversations
// projection has folded a RecordingReady, so it polls that projection's checkpoint (every 0.5 s; a
// NOTIFY of any append wakes it sooner) and looks again every `pollIntervalMs` regardless, for
// backoffs ended and operators' retries.

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

// How far the conversations projection has got: new rows to copy appear as it moves.
const PROJECTED_HEAD = `SELECT coalesce((SELECT position::text FROM projection_checkpoints WHERE name = 'conversations'), '0') AS head`;

/** What runs while this instance holds the lease. */
export class RecordingsJob implements LeasedJob {
  private waker: Wakeup | undefined;
  private abort = new AbortController();
  private dueTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly copier: Copier,
    private readonly options: { pool: pg.Pool; listener?: Listener; pollIntervalMs: number; now: () => number; onError: (err: unknown) => void },
  ) {}

  start(): Promise<void> {
    this.abort = new AbortController();
    const pool = this.options.pool;
    this.waker = new Wakeup(() => this.pass(), {
      listener: this.options.listener,
      channel: EVENTS_CHANNEL,
      readHead: async () => (await pool.query<{ head: string }>(PROJECTED_HEAD)).rows[0]!.head,
      pollMs: Math.min(500, this.options.pollIntervalMs),
      passEveryMs: this.options.pollIntervalMs,
      onError: this.options.onError,
    });
    this.waker.start();
    return Promise.resolve();
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
  database: DatabaseAccess,
  config: RecordingsConfig,
  log: Logger,
  /** This instance's name in the leases table. */
  owner: string,
  overrides: RecordingsOverrides = {},
): Promise<RecordingsHandle> {
  // One connection more than the copies' appends take, so renewals never wait.
  const pool = createPool(database.url, {
    max: 4,
    applicationName: `tavus-feedback ${RECORDINGS_LEASE}`,
    statementTimeoutMs: 10_000,
    pooled: database.pooled,
  });
  const tavus = s3Client(config.tavus, overrides.client);
  const storage = s3Client(config.storage, overrides.client);
  const now = overrides.now ?? Date.now;
  const onError = (err: unknown) => log.error({ err }, 'recordings: the reactor failed; it tries again at the next poll');
  const copier: Copier = new Copier({
    pool,
    keyring: database.keyring,
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
  const job = new RecordingsJob(copier, { pool, listener: database.listener, pollIntervalMs: overrides.pollIntervalMs ?? 5_000, now, onError });
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
