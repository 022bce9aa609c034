import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { conversationsProjection } from '../src/projections/readModels/conversations.js';
import { ensureCheckpoints } from '../src/projections/runtime/checkpoints.js';
import { ProjectionRunner } from '../src/projections/runtime/runner.js';
import { createBenchDatabase } from './support/database.js';
import { generateSealedHistory } from './support/fixtures.js';
import { BENCH_DATA_KEK, profileArgs, ROOT } from './support/processes.js';
import { parseKek } from '../src/privacy/kek.js';
import { Keyring } from '../src/privacy/keyring.js';

const keyring = new Keyring([parseKek(BENCH_DATA_KEK)]);

// Rebuild: a history of ended conversations with 30-turn transcripts, sealed as the service seals
// them, generated straight into the event store and projected (every event opened), then
// `tavus-feedback rebuild feedback` for each analyzer as a real process: conversations scored per
// second and the process's peak RSS, at two history sizes.

export interface RebuildRun {
  analyzer: string;
  conversations: number;
  seconds: number;
  perSecond: number;
  peakRssMb: number;
}

export interface RebuildResult {
  sizes: { conversations: number; generateSeconds: number; projectSeconds: number; runs: RebuildRun[] }[];
  database: string;
}

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function rebuildProcess(databaseUrl: string, analyzer: string): Promise<{ seconds: number; peakRssMb: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...profileArgs, 'dist/cli/run.js', 'rebuild', 'feedback', '--analyzer', analyzer], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssKb(child.pid!))), 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`rebuild of ${analyzer} failed (${code}): ${output}`);
  return { seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(peak / 1024), output };
}

export async function runRebuildBench(options: { sizes?: number[]; analyzers?: string[] } = {}): Promise<RebuildResult> {
  const sizes = options.sizes ?? [100_000, 1_000_000];
  const analyzers = options.analyzers ?? ['baseline@1', 'coach@1'];
  const result: RebuildResult = { sizes: [], database: '' };
  for (const size of sizes) {
    const database = await createBenchDatabase();
    result.database = database.describe;
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    try {
      let t = performance.now();
      await generateSealedHistory(pool, size, keyring);
      const generateSeconds = (performance.now() - t) / 1000;
      // The conversations read model, as the service's runner would have built it.
      await ensureCheckpoints(pool, ['conversations']);
      await pool.query(`INSERT INTO feedback_live (analyzer) VALUES ('none@0')`);
      t = performance.now();
      await new ProjectionRunner(pool, { projections: () => Promise.resolve([conversationsProjection(keyring)]), batchSize: 3_000 }).drain();
      const projectSeconds = (performance.now() - t) / 1000;
      await pool.query('VACUUM ANALYZE');
      const runs: RebuildRun[] = [];
      for (const analyzer of analyzers) {
        const run = await rebuildProcess(database.url, analyzer);
        if (process.env.BENCH_VERBOSE) console.error(run.output);
        runs.push({ analyzer, conversations: size, seconds: run.seconds, perSecond: size / run.seconds, peakRssMb: run.peakRssMb });
      }
      result.sizes.push({ conversations: size, generateSeconds, projectSeconds, runs });
    } finally {
      await pool.end();
      await database.drop();
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv[2] ? process.argv[2].split(',').map(Number) : undefined;
  const analyzers = process.argv[3] ? process.argv[3].split(',') : undefined;
  console.log(JSON.stringify(await runRebuildBench({ sizes, analyzers }), null, 2));
}
