import type pg from 'pg';

// Only one instance sweeps at a time: a pass runs while holding a Postgres advisory lock, taken on
// a connection kept for the pass alone. Postgres releases the lock when that connection ends, so an
// instance that dies mid-pass frees it for the next one. Losing the connection mid-pass is noticed
// (`held` turns false) and the pass stops; a second sweeper overlapping for a moment would only ask
// Tavus twice, since what it records is idempotent.

const KEY_SQL = `hashtextextended($1, 0)`;

export interface Lease {
  /** False once the lock's connection is lost. */
  readonly held: boolean;
}

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `fn` holding the lock named `name`. With `wait`, waits for whoever holds it; without, does
 * not run when another holds it.
 */
export async function withLease<T>(pool: pg.Pool, name: string, fn: (lease: Lease) => Promise<T>, options: { wait?: boolean } = {}): Promise<LeaseOutcome<T>> {
  const client = await pool.connect();
  const state = { held: false };
  let lost: Error | undefined;
  const onError = (err: Error) => {
    state.held = false;
    lost = err;
  };
  client.on('error', onError);
  let locked = false;
  try {
    if (options.wait) {
      await client.query(`SELECT pg_advisory_lock(${KEY_SQL})`, [name]);
    } else {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${KEY_SQL}) AS locked`, [name]);
      if (!rows[0]?.locked) return { ran: false };
    }
    locked = true;
    state.held = true;
    return { ran: true, value: await fn(state) };
  } finally {
    state.held = false;
    if (locked && !lost) await client.query(`SELECT pg_advisory_unlock(${KEY_SQL})`, [name]).catch((err: Error) => (lost = err));
    client.off('error', onError);
    // A connection that may still hold the lock must not go back to the pool: it is closed instead.
    client.release(lost);
  }
}
