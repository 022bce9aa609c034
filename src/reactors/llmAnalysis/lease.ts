import pg from 'pg';

// One instance at a time runs a job: the one holding a Postgres advisory lock, taken on a
// connection of its own and held for as long as that connection lives. An instance that dies
// loses its connection and so its lock at once; the others try again every `retryMs` and one
// takes over. (A minimal lease for the llm reactor; a generic one may replace it.)
//
// The lock keeps two instances from paying for the same model call; it is not what makes the
// work correct: an answer's idempotency key does that, so an overlap appends nothing twice.

export interface LeasedJob {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AdvisoryLeaseOptions {
  databaseUrl: string;
  /** The lock's name; one holder per name, in the whole database. */
  name: string;
  retryMs?: number;
  onChange?: (held: boolean) => void;
  onError?: (err: unknown) => void;
}

/** The same name gives the same lock in every process (and in SQL: hashtextextended(name, 0)). */
const LOCK = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked';

export class AdvisoryLease {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private trying: Promise<void> | undefined;

  constructor(
    private readonly options: AdvisoryLeaseOptions,
    private readonly job: LeasedJob,
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  /** Tries at once, then every retryMs while another instance holds the lock. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tryTake();
    this.timer = setInterval(() => void this.tryTake(), this.options.retryMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.trying;
    await this.lose();
  }

  private tryTake(): Promise<void> {
    if (this.stopped || this.client || this.trying) return this.trying ?? Promise.resolve();
    this.trying = this.take()
      .catch((err) => this.options.onError?.(err))
      .finally(() => (this.trying = undefined));
    return this.trying;
  }

  private async take(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: `tavus-feedback lease ${this.options.name}`,
      keepAlive: true,
    });
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(LOCK, [this.options.name]);
    if (!rows[0]!.locked || this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // A broken connection has released the lock on the server: stop working, and try again later.
    client.on('error', (err) => {
      if (this.client !== client) return;
      this.options.onError?.(err);
      void this.lose();
    });
    client.on('end', () => {
      if (this.client === client) void this.lose();
    });
    this.options.onChange?.(true);
    try {
      await this.job.start();
    } catch (err) {
      await this.lose();
      throw err;
    }
  }

  private async lose(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    await this.job.stop().catch((err) => this.options.onError?.(err));
    // Ending the session releases the lock.
    await client.end().catch(() => {});
    this.options.onChange?.(false);
  }
}

/**
 * Takes the lock only if it is free, on a pooled connection held until `release`; null when another
 * session holds it. For one-off work (a rebuild asking what is missing) beside a service's lease.
 */
export async function tryAdvisoryLock(pool: pg.Pool, name: string): Promise<{ release(): Promise<void> } | null> {
  const client = await pool.connect();
  const { rows } = await client.query<{ locked: boolean }>(LOCK, [name]).catch((err: unknown) => {
    client.release();
    throw err;
  });
  if (!rows[0]!.locked) {
    client.release();
    return null;
  }
  return {
    async release() {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => {});
      client.release();
    },
  };
}
