import pg from 'pg';

// int8 (positions) and xid8 arrive as strings by default; keep positions as strings end to end
// (they can pass 2^53 in theory) but parse counts where we need numbers at the call site.

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /**
   * Lets Postgres spread one query over several processes. Off for the service's short statements:
   * on a small machine under load, starting parallel workers for a page of events costs more than it
   * saves and takes the cores ingestion needs (seen with 2 cores).
   */
  parallelQuery?: boolean;
  /**
   * Postgres cancels a statement running longer than this, so a hung database means an error (503)
   * within seconds rather than requests piling up behind it. Unset for long jobs (rebuilds).
   */
  statementTimeoutMs?: number;
  /** Off where a cheap query's cost estimate may cross JIT's threshold, so it pays for compilation. */
  jit?: boolean;
  /**
   * The URL is a transaction pooler (Supavisor, PgBouncer pool_mode=transaction): it refuses, or
   * would lose, session settings given at connect, so the three above are left to the server's
   * defaults (the append lock's own lock_timeout still bounds every wait for it).
   */
  pooled?: boolean;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const settings = options.pooled
    ? []
    : [
        ...(options.parallelQuery === false ? ['-c max_parallel_workers_per_gather=0'] : []),
        ...(options.jit === false ? ['-c jit=off'] : []),
        ...(options.statementTimeoutMs ? [`-c statement_timeout=${options.statementTimeoutMs}`] : []),
      ];
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'tavus-feedback',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}
