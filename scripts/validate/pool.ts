import type { Worker } from 'node:worker_threads';
import type { RunResult } from '../../src/analysis/validation/learner.js';
import type { Job } from '../../src/analysis/validation/plan.js';
import { startWorker } from '../../src/projections/runtime/startWorker.js';
import type { Validated } from './learners.js';

// Runs spread over worker threads. Results come back in any order and are put back in the plan's
// order, so the figures are the same with one thread or many.

export interface Pool {
  run(analyzer: Validated, jobs: readonly Job[], candidate?: unknown, onDone?: () => void): Promise<RunResult[]>;
  close(): Promise<void>;
}

export function startPool(file: string, threads: number): Pool {
  const workers: Worker[] = Array.from({ length: threads }, () => startWorker(import.meta.url, 'worker', { workerData: { file } }));
  let nextId = 0;
  return {
    async run(analyzer, jobs, candidate, onDone) {
      const results = new Array<RunResult>(jobs.length);
      let next = 0;
      const feed = (worker: Worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (next >= jobs.length) {
              worker.off('message', onMessage);
              worker.off('error', reject);
              resolve();
              return;
            }
            const at = next++;
            pending.set(nextId, at);
            worker.postMessage({ id: nextId++, analyzer, job: jobs[at], candidate });
          };
          const pending = new Map<number, number>();
          const onMessage = (m: { id: number; result: RunResult }) => {
            results[pending.get(m.id)!] = m.result;
            pending.delete(m.id);
            onDone?.();
            send();
          };
          worker.on('message', onMessage);
          worker.on('error', reject);
          send();
        });
      await Promise.all(workers.map(feed));
      return results;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
