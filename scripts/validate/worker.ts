import { parentPort, workerData } from 'node:worker_threads';
import { loadAnnomi } from '../../src/analysis/annomi.js';
import type { Job } from '../../src/analysis/validation/plan.js';
import { bySource, learnerOf, type Validated } from './learners.js';

// One thread of `npm run validate`: makes the runs it is sent, one at a time, and answers each
// result as plain data. Which thread made a run changes nothing in it.

const rows = loadAnnomi((workerData as { file: string }).file)!;
const pick = bySource(rows);
parentPort!.on('message', (message: { id: number; analyzer: Validated; job: Job; candidate?: unknown }) => {
  const learner = learnerOf(message.analyzer);
  const setting = message.candidate === undefined ? learner.candidates[message.job.candidate] : message.candidate;
  const result = learner.run(pick(message.job.train), pick(message.job.score), setting);
  parentPort!.postMessage({ id: message.id, result });
});
