import { availableParallelism } from 'node:os';
import { startWorker } from '../runtime/startWorker.js';
import type { StaleInput } from './scoring.js';

// Worker threads that score rebuild pages on every core. Analyzers are pure, so any thread may
// score any page; each worker loads the analyzer from the registry by its id.

export interface ScoringPool {
  size: number;
  /** The scored rows as a JSON array, ready for the upsert. */
  score(rows: StaleInput[]): Promise<string>;
  close(): Promise<void>;
}

// One core stays with the main thread, which reads pages and hands rows to Postgres.
const DEFAULT_SIZE = Math.max(1, availableParallelism() - 1);

export function createScoringPool(analyzer: string, size = DEFAULT_SIZE): ScoringPool {
  // A page is a few MB; small heaps keep the process's memory flat however long the history. A young
  // generation of 8 MB scores as fast as 16, 32 or 64 (measured with coach@1) and peaks 10-70 MB lower.
  const resourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };
  const workers = Array.from({ length: size }, () => startWorker(import.meta.url, 'scoringWorker', { workerData: { analyzer }, resourceLimits }));
  const waiting = new Map<number, { resolve: (json: string) => void; reject: (err: Error) => void }>();
  const load = workers.map(() => 0);
  let nextId = 0;
  let broken: Error | undefined;
  let closing = false;
  workers.forEach((worker, index) => {
    worker.on('message', (message: { id: number; json?: string; error?: string }) => {
      load[index]!--;
      const job = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error !== undefined) job?.reject(new Error(message.error));
      else job?.resolve(message.json!);
    });
    // A worker that dies fails every page waiting and every later one: a rebuild must stop, not hang.
    const fail = (err: Error) => {
      broken ??= err;
      for (const job of waiting.values()) job.reject(err);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`a scoring thread exited (code ${code})`));
    });
  });
  return {
    size,
    score(rows) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      // The least busy worker takes the page.
      const index = load.indexOf(Math.min(...load));
      load[index]!++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[index]!.postMessage({ id, rows });
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
