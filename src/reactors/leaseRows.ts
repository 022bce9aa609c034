import type pg from 'pg';

// The `leases` table (migration 0014), one row a job: who holds it, since when, until when. Times
// are Postgres's own. src/reactors/lease.ts holds and renews the rows; operators read them here.

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

/** True when `owner` holds the lease for `ttlMs` from now; false when another holds it. */
export async function takeOrRenewLease(db: pg.Pool, name: string, owner: string, ttlMs: number): Promise<boolean> {
  const { rows } = await db.query(TAKE_OR_RENEW, [name, owner, ttlMs]);
  return rows.length > 0;
}

/** Gives the lease up if `owner` still holds it; a row another took over is left alone. */
export async function releaseLease(db: pg.Pool, name: string, owner: string): Promise<void> {
  await db.query('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
}

export interface LeaseHolder {
  name: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
  expired: boolean;
}

type HolderRow = { name: string; owner: string; acquired_at: Date; expires_at: Date; expired: boolean };
const HOLDERS = 'SELECT name, owner, acquired_at, expires_at, expires_at < now() AS expired FROM leases';
const holderOf = (r: HolderRow): LeaseHolder => ({ name: r.name, owner: r.owner, acquiredAt: r.acquired_at, expiresAt: r.expires_at, expired: r.expired });

/** Who holds a lease now, for operators; undefined when nobody ever took it or it was released. */
export async function readLeaseHolder(db: pg.Pool | pg.PoolClient, name: string): Promise<LeaseHolder | undefined> {
  const { rows } = await db.query<HolderRow>(`${HOLDERS} WHERE name = $1`, [name]);
  return rows[0] && holderOf(rows[0]);
}

/** Every lease taken and not given back (expired ones included), by name. */
export async function readLeaseHolders(db: pg.Pool | pg.PoolClient): Promise<LeaseHolder[]> {
  const { rows } = await db.query<HolderRow>(`${HOLDERS} ORDER BY name`);
  return rows.map(holderOf);
}
