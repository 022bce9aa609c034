import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The key-encryption key the benchmarks' services and CLI runs seal personal data under, unless DATA_KEK is set. */
export const BENCH_DATA_KEK = process.env.DATA_KEK ?? 'YmVuY2htYXJrcycga2V5LWVuY3J5cHRpb24ga2V5ISE=';
process.env.DATA_KEK = BENCH_DATA_KEK;

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

// BENCH_PROFILE=<dir> writes a V8 CPU profile of every server process into <dir>, to see where the
// time goes (open it in Chrome's DevTools or speedscope).
export const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

/** Starts a server process and waits until `readyPath` answers 200. */
export async function startProcess(args: string[], env: Record<string, string>, port: number, readyPath = '/healthz'): Promise<Child> {
  const child = spawn(process.execPath, [...profileArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url + readyPath)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not get ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
