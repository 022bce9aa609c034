import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { embeddedUrl, startEmbeddedPostgres } from './db/embedded.js';
import { migrate } from './db/migrate.js';
import { checkDatabaseUrls, DatabaseSetupError } from './db/sessions.js';
import { KekError, parseKek, type Kek } from './privacy/kek.js';
import { startService } from './service.js';

/** The database to use: DATABASE_URL, or an embedded PostgreSQL kept under the data directory. */
export async function resolveDatabase(config: Config, log: pino.Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  // The service may already run it (a CLI command beside `npm start`): use that one.
  const running = embeddedUrl(config.embeddedPostgresPort);
  if (await reachable(running)) return { url: running, stop: async () => {} };
  log.info({ dir: path.resolve(config.dataDir, 'postgres'), port: config.embeddedPostgresPort }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
  return startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), port: config.embeddedPostgresPort, log: (l) => log.debug(l) });
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** AUTH_JWT_SECRET, or for local use a random one kept in the data directory (the CLI reads the same). */
export async function resolveJwtSecret(config: Config, log?: pino.Logger): Promise<string> {
  if (config.authJwtSecret) return config.authJwtSecret;
  const file = path.join(config.dataDir, 'dev-jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret + '\n', { mode: 0o600 });
    log?.warn({ file }, 'AUTH_JWT_SECRET is not set: generated a development secret; set AUTH_JWT_SECRET in production');
    return secret;
  }
}

/**
 * The key-encryption keys of personal data: DATA_KEK (and DATA_KEK_PREVIOUS), or, on the embedded
 * database only, one generated once and kept in the data directory beside it. With a database of
 * its own (DATABASE_URL) a service must be given its key: instances that each made their own could
 * not read one another's conversations.
 */
export async function resolveDataKeks(config: Config, log?: pino.Logger): Promise<Kek[]> {
  if (config.dataKeks.length > 0) return config.dataKeks;
  if (config.databaseUrl) {
    throw new ConfigError(
      'Invalid configuration:\n  DATA_KEK: required with DATABASE_URL: base64 of 32 random bytes (openssl rand -base64 32), the same for every instance; keep it out of the database',
    );
  }
  const file = path.join(config.dataDir, 'data-kek');
  try {
    return [parseKek(await readFile(file, 'utf8'), file)];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    log?.warn({ file }, 'DATA_KEK is not set: generated a key-encryption key for personal data beside the embedded database; set DATA_KEK in production');
    return [parseKek(await readFile(file, 'utf8'), file)];
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  const database = await resolveDatabase(config, log);
  let urls;
  try {
    urls = await checkDatabaseUrls(database.url, config.databaseDirectUrl);
  } catch (err) {
    if (!(err instanceof DatabaseSetupError)) throw err;
    log.fatal(err.message);
    process.exit(2);
  }
  // Migrations take a session lock: on the connection that keeps sessions.
  const applied = await migrate(urls.sessionUrl, (m) => log.debug(m));
  if (applied.length) log.info({ applied }, 'migrations applied');
  const jwtSecret = await resolveJwtSecret(config, log);
  let dataKeks: Kek[];
  try {
    dataKeks = await resolveDataKeks(config, log);
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof KekError)) throw err;
    log.fatal(err.message);
    process.exit(2);
  }
  const service = await startService({ ...config, databaseUrl: database.url, jwtSecret, dataKeks }, log);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await service.stop().catch((err) => log.error({ err }, 'error while stopping'));
    await database.stop().catch((err) => log.error({ err }, 'error stopping the embedded database'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

// `node dist/main.js` (npm start) runs the service; importing this module (the CLI) does not.
if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
