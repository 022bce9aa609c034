import { parentPort, workerData } from 'node:worker_threads';
import { findAnalyzer } from '../../analysis/registry.js';
import { scoreRows, type StaleInput } from './scoring.js';

// A scoring thread for rebuilds: pages of inputs in, the rows to upsert out as JSON text, so the
// main thread neither parses transcripts nor serialises analyses.
const { analyzer: id } = workerData as { analyzer: string };
const analyzer = findAnalyzer(id);
if (!analyzer) throw new Error(`unknown analyzer ${id}`);

parentPort!.on('message', ({ id, rows }: { id: number; rows: StaleInput[] }) => {
  try {
    parentPort!.postMessage({ id, json: JSON.stringify(scoreRows(analyzer, rows)) });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
