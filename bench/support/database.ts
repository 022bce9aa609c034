import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';

// A fresh, migrated database for one benchmark: on DATABASE_URL's server when set, else embedded.

export interface BenchDatabase {
  url: string;
  describe: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let describe = 'PostgreSQL at DATABASE_URL';
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'tavus-feedback-bench-'));
    await chmod(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dir: path.join(dir, 'db'), port: 20000 + Math.floor(Math.random() * 20000), persistent: false });
    serverUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
    describe = 'embedded PostgreSQL';
  }
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    describe: `${describe} ${version.split(' ')[0]}`,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await stopEmbedded?.();
    },
  };
}
