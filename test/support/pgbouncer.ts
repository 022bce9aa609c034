import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A real PgBouncer in transaction mode (what Supabase's pooler on port 6543 is) in front of the test
// server: Debian's `pgbouncer` package, which .ci/run installs. Every database of the server is
// reachable through it under its own name. Trust authentication, as the server's own.

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** `url` (a database of the test server) as reached through the pooler. */
  via(url: string): string;
  stop(): Promise<void>;
}

export function pgbouncerMissing(): string | undefined {
  return existsSync(PGBOUNCER) ? undefined : `${PGBOUNCER} is not installed (Debian package pgbouncer; .ci/run installs it)`;
}

// Below the range the embedded test Postgres picks from (20000-40000) and the kernel's ephemeral
// ports (32768 and up): a port that is free now is not taken by another test's server a moment later.
const randomPort = () => 10_000 + Math.floor(Math.random() * 10_000);

export async function startPgBouncer(serverUrl: string): Promise<PgBouncer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(serverUrl, randomPort());
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
}

async function startOn(serverUrl: string, port: number): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const dir = await mkdtemp(path.join(tmpdir(), 'tavus-feedback-pgbouncer-'));
  // As root PgBouncer runs as the postgres user, which must read its files.
  await chmod(dir, 0o755);
  const user = decodeURIComponent(server.username || 'postgres');
  await writeFile(path.join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  await writeFile(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'unix_socket_dir =',
      // Few server connections, so clients really do share them.
      'default_pool_size = 4',
      'max_client_conn = 500',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PgBouncer did not start listening: ${stderr}`));
    }, 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      void rm(dir, { recursive: true, force: true });
      reject(new Error(`PgBouncer exited with ${code}: ${stderr}`));
    });
    child.stderr?.on('data', () => {
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
