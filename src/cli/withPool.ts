import type pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { checkDatabaseUrls } from '../db/sessions.js';
import { Keyring } from '../privacy/keyring.js';

/**
 * Runs `fn` against the configured database (starting the embedded one if need be), migrated first,
 * and closes everything after. The keyring opens and seals personal data (DATA_KEK, as the service's).
 */
export async function withPool<T>(fn: (pool: pg.Pool, keyring: Keyring) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // The service's module (express and the rest) loads only for a command that runs: --help stays quick.
  const { resolveDatabase, resolveDataKeks } = await import('../main.js');
  const keyring = new Keyring(await resolveDataKeks(config, pino({ level: 'warn' })));
  const database = await resolveDatabase(config, pino({ level: 'warn' }));
  try {
    const urls = await checkDatabaseUrls(database.url, config.databaseDirectUrl);
    await migrate(urls.sessionUrl);
    const pool = createPool(urls.url, { max: 8, applicationName: 'tavus-feedback-cli', pooled: urls.pooled });
    try {
      return await fn(pool, keyring);
    } finally {
      await pool.end();
    }
  } finally {
    await database.stop();
  }
}
