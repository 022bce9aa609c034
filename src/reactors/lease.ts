import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';

// One instance at a time runs a job (the relay, the projection runner, the reconciliation sweeper):
// each instance tries to take the job's row in `leases`; the one that holds it renews it every
// `renewEveryMs` and runs the job; if it dies, its row expires after `ttlMs` and another instance
// takes it over at its next try. A graceful stop deletes the row, so the next instance takes over
// at once.
//
// A row rather than an advisory lock: it needs no connection held open for the lease's lifetime
// (nor a session-mode pooler), an operator can see who holds what (`SELECT * FROM leases`), and
// only Postgres's clock is used. The price is that a holder killed outright is replaced after the
// time to live rather than at once.
//
// A lease keeps instances from doing the same work twice; it is not what makes that work correct.
// A holder that stalls (a long GC pause, a lost network) can still be finishing a step when another
// takes over, so every job must stay correct when two of it overlap for a moment (the relay's
// checkpoint is a compare-and-set and KurrentDB ignores repeated event ids; projection batches
// lock their checkpoints).

export interface LeasedJob {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeaseOptions {
  /** The job's name, e.g. `relay`: one holder per name. */
  name: string;
  /** Who is asking: unique per instance (see instanceName). */
  owner: string;
  /** How long a holder that stopped renewing keeps the lease. */
  ttlMs?: number;
  /** How often the holder renews, and others try to take over. */
  renewEveryMs?: number;
  /** Called when this instance starts or stops holding the lease. */
  onChange?: (held: boolean) => void;
  onError?: (err: unknown) => void;
}

/** Host, process and a random part: two instances never share it, even across restarts. */
export function instanceName(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

// Takes the row if it is free or expired, or renews it if it is ours; answers a row only if we hold it.
const TAKE_OR_RENEW = `
INSERT INTO leases AS l (name, owner, acquired_at, expires_at)
VALUES ($1, $2, now(), now() + $3 * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
   SET owner = EXCLUDED.owner,
       acquired_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.acquired_at ELSE now() END,
       expires_at = EXCLUDED.expires_at
 WHERE l.owner = EXCLUDED.owner OR l.expires_at < now()
RETURNING owner`;

const RELEASE = 'DELETE FROM leases WHERE name = $1 AND owner = $2';

export interface LeaseHolder {
  name: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
  expired: boolean;
}

/** Who holds a lease now, for operators; undefined when nobody ever took it or it was released. */
export async function readLeaseHolder(db: pg.Pool | pg.PoolClient, name: string): Promise<LeaseHolder | undefined> {
  const { rows } = await db.query<{ owner: string; acquired_at: Date; expires_at: Date; expired: boolean }>(
    'SELECT owner, acquired_at, expires_at, expires_at < now() AS expired FROM leases WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row && { name, owner: row.owner, acquiredAt: row.acquired_at, expiresAt: row.expires_at, expired: row.expired };
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
      await this.pool.query(RELEASE, [this.options.name, this.options.owner]).catch((err) => this.options.onError?.(err));
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
    let ours: boolean;
    try {
      const { rows } = await this.pool.query(TAKE_OR_RENEW, [this.options.name, this.options.owner, this.ttlMs]);
      ours = rows.length > 0;
    } catch (err) {
      this.options.onError?.(err);
      // Unknown whether the renewal landed: keep the job only while the last sure one still covers us,
      // with a renewal period to spare for clocks that drift.
      if (this.holding && performance.now() > this.validUntil - this.renewEveryMs) await this.lose();
      return;
    }
    if (this.stopped) {
      if (ours && !this.holding) await this.pool.query(RELEASE, [this.options.name, this.options.owner]).catch(() => {});
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
      await this.pool.query(RELEASE, [this.options.name, this.options.owner]).catch(() => {});
      return;
    }
    this.holding = true;
    this.options.onChange?.(true);
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async lose(): Promise<void> {
    this.holding = false;
    this.options.onChange?.(false);
    await this.job.stop().catch((err) => this.options.onError?.(err));
  }
}
