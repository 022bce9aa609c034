import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { runner } from 'node-pg-migrate';

/** Absolute path of `migrations/`, wherever the code runs from (src/ under tsx, dist/ when built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

/** Applies pending migrations; concurrent callers wait on node-pg-migrate's advisory lock. */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    singleTransaction: true,
    checkOrder: true,
    // Instances started together (several behind a load balancer) take turns rather than fail.
    advisoryLockMode: 'wait',
    log,
    logger: { info: log, warn: log, error: log, debug: () => {} },
    verbose: false,
  });
  return applied.map((m) => m.name);
}

/** Migrations shipped with this build that the database has not applied (readiness wants none). */
export async function pendingMigrations(db: pg.Pool): Promise<string[]> {
  const [shipped, applied] = await Promise.all([shippedMigrations(), db.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)]);
  const done = new Set(applied.rows.map((r) => r.name));
  return shipped.filter((m) => !done.has(m));
}

/** Names of migration files shipped with this build, for readiness: all must be applied. */
export async function shippedMigrations(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(MIGRATIONS_DIR);
  return files
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
}
