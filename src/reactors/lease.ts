import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { releaseLease, takeOrRenewLease } from './leaseRows.js';

// The one way to have a single instance do a job: the job's row in `leases` (migration 0014). Its
// holder renews the row every `renewEveryMs`; a row nobody renewed for `ttlMs` is anyone's to take;
// a holder that stops cleanly deletes its row, so the next one takes over at once. Two forms:
//
// - `Lease`, for a job that runs as long as the instance does (the relay, the llm@1 reactor): every
//   instance keeps trying, whichever holds the row runs the job, another takes over when it goes.
// - `withLease`, for work done once (a reconciliation pass, the sweeper's or one by hand; a rebuild
//   asking for llm@1's missing answers): the row is taken under an owner name of its own, renewed
//   while the work runs and given back when it ends, and the work can see (`held`, `lost`) that it
//   was lost, so long work stops early.
//
// A row rather than an advisory lock (the sweeper and the llm reactor each had one before): no
// connection stays open for as long as the lease is held (nor needs a session-mode pooler to keep
// it), an operator sees who holds what (`SELECT * FROM leases`, `tavus-feedback leases`), and only
// Postgres's clock counts, so the instances' clocks need not agree. The price: a holder killed
// outright keeps its row until the time to live runs out, so it is replaced after `ttlMs` plus up to
// a renewal period (5 s and 1 s by default), where a lock went with its connection at once. Every job
// here can afford that: the relay and the llm reactor resume a few seconds later, the next sweep is a
// minute away, and a pass by hand or a rebuild waits those few seconds more.
//
// A lease keeps instances from doing the same work twice; it is not what makes that work correct.
// A holder that stalls (a long GC pause, a lost network) can still be finishing a step when another
// takes over, so every job must stay correct when two of it overlap for a moment (the relay's
// checkpoint is a compare-and-set and KurrentDB ignores repeated event ids; what reconciliation and
// the llm reactor record is idempotent, so an overlap asks twice and appends nothing twice).

export interface LeasedJob {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeaseTiming {
  /** How long a holder that stopped renewing keeps the lease. */
  ttlMs?: number;
  /** How often the holder renews, and others try to take over. */
  renewEveryMs?: number;
  onError?: (err: unknown) => void;
}

export interface LeaseOptions extends LeaseTiming {
  /** The job's name, e.g. `relay`: one holder per name. */
  name: string;
  /** Who is asking: unique per instance (see instanceName). */
  owner: string;
  /** Called when this instance starts or stops holding the lease. */
  onChange?: (held: boolean) => void;
}

/** Host, process and a random part: two instances never share it, even across restarts. */
export function instanceName(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

/** A renewal that got no answer in time: whether it landed is unknown. */
class NoAnswer extends Error {}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`no answer from Postgres within ${Math.round(ms)} ms`)), ms);
    timer.unref();
  });
  // An answer after the timeout has nobody waiting for it.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Runs `job` in this instance whenever it holds the lease named in the options. */
export class Lease {
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private holding = false;
  /** When our lease ends by our clock if no renewal succeeds: counted from before the last renewal was sent. */
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = true;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: LeaseOptions,
    private readonly job: LeasedJob,
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(100, Math.floor(this.ttlMs / 5));
    if (this.renewEveryMs * 2 >= this.ttlMs) throw new Error(`lease ${options.name}: renew at least twice per time to live`);
  }

  get held(): boolean {
    return this.holding;
  }

  /** Starts trying to take the lease; resolves after the first try. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  /** Resolves when this instance holds the lease and its job has started. */
  whenHeld(): Promise<void> {
    if (this.holding) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops the job if it runs here and gives the lease up, so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (this.holding) {
      await this.lose();
      await this.release().catch((err) => this.options.onError?.(err));
    }
  }

  private tick(): Promise<void> {
    this.ticking = this.tryOnce().finally(() => {
      this.ticking = undefined;
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.tick(), this.renewEveryMs);
        this.timer.unref();
      }
    });
    return this.ticking;
  }

  private async tryOnce(): Promise<void> {
    const sentAt = performance.now();
    // Past this, unknown whether the renewals landed: keep the job only while the last sure one
    // still covers us, with a renewal period to spare for clocks that drift. A renewal that hangs
    // (replies lost on the way) is given up at that moment too, rather than waited for.
    const keepUntil = this.validUntil - this.renewEveryMs;
    let ours: boolean;
    try {
      const answer = takeOrRenewLease(this.pool, this.options.name, this.options.owner, this.ttlMs);
      ours = await within(answer, this.holding ? Math.max(0, keepUntil - sentAt) : this.ttlMs);
    } catch (err) {
      this.options.onError?.(err);
      if (this.holding && (err instanceof NoAnswer || performance.now() > keepUntil)) await this.lose();
      return;
    }
    if (this.stopped) {
      if (ours && !this.holding) await this.release().catch(() => {});
      return;
    }
    if (ours) {
      this.validUntil = sentAt + this.ttlMs;
      if (!this.holding) await this.gain();
    } else if (this.holding) {
      await this.lose();
    }
  }

  private async gain(): Promise<void> {
    try {
      await this.job.start();
    } catch (err) {
      // Let another instance try: this one may be the problem.
      this.options.onError?.(err);
      await this.job.stop().catch(() => {});
      await this.release().catch(() => {});
      return;
    }
    this.holding = true;
    this.options.onChange?.(true);
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private release(): Promise<void> {
    return releaseLease(this.pool, this.options.name, this.options.owner);
  }

  private async lose(): Promise<void> {
    this.holding = false;
    this.options.onChange?.(false);
    await this.job.stop().catch((err) => this.options.onError?.(err));
  }
}

/** What work done under `withLease` sees of its lease. */
export interface HeldLease {
  /** False once a renewal found the row taken by another, or Postgres unreachable past the lease's validity. */
  readonly held: boolean;
  /** Aborted at the same moment, for work that takes a signal. */
  readonly lost: AbortSignal;
}

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false };

export interface OneOffOptions extends LeaseTiming {
  /** Wait for the holder to give the lease up (or for its row to expire) rather than not run. */
  wait?: boolean;
}

const NOTHING: LeasedJob = { start: async () => {}, stop: async () => {} };

/**
 * Runs `work` once, holding the lease `name` under an owner name of its own; `{ ran: false }` when
 * another holds it (unless `wait`). Rejects, without running, when Postgres cannot be asked.
 */
export async function withLease<T>(pool: pg.Pool, name: string, work: (lease: HeldLease) => Promise<T>, options: OneOffOptions = {}): Promise<LeaseOutcome<T>> {
  const lost = new AbortController();
  let done = false;
  // Set by the lease's callbacks, hence an object: what failed before the lease was held.
  const before: { failure?: { err: unknown } } = {};
  let refuse: (err: unknown) => void = () => {};
  const unreachable = new Promise<never>((_, reject) => (refuse = reject));
  unreachable.catch(() => {});

  const lease: Lease = new Lease(
    pool,
    {
      ...options,
      name,
      owner: instanceName(),
      onChange: (held) => {
        if (held || done) return;
        // Once lost, it stays lost: another may have done some of the work meanwhile, so this owner
        // does not take the row back, and the work is told to stop.
        lost.abort(new Error(`the lease ${name} was lost`));
        void lease.stop();
      },
      onError: (err) => {
        if (!lease.held && !done) {
          before.failure ??= { err };
          refuse(err);
        }
        options.onError?.(err);
      },
    },
    NOTHING,
  );
  await lease.start();
  if (!lease.held && !before.failure && options.wait) await Promise.race([lease.whenHeld(), unreachable]).catch(() => {});
  if (!lease.held) {
    done = true;
    await lease.stop();
    if (before.failure) throw before.failure.err;
    return { ran: false };
  }
  try {
    return {
      ran: true,
      value: await work({
        get held() {
          return !lost.signal.aborted && lease.held;
        },
        lost: lost.signal,
      }),
    };
  } finally {
    done = true;
    await lease.stop();
  }
}
