import type pg from 'pg';
import { analyzers, findAnalyzer } from '../analysis/registry.js';
import type { Analyzer } from '../analysis/types.js';
import { listBuilds } from '../projections/builds/builds.js';
import { readLiveAnalyzer } from '../projections/runtime/live.js';
import { dropFeedback, rebuildFeedback, useFeedback } from '../projections/builds/rebuild.js';
import { createScoringPool } from '../projections/builds/scoringPool.js';
import { progressReporter } from './progress.js';
import { UsageError } from './usage.js';

export function analyzerOrFail(id: string): Analyzer {
  const analyzer = findAnalyzer(id);
  if (!analyzer) throw new UsageError(`unknown analyzer ${id}; known: ${[...analyzers.keys()].join(', ')}`);
  return analyzer;
}

export async function printAnalyzers(pool: pg.Pool): Promise<void> {
  const [builds, live] = await Promise.all([listBuilds(pool), readLiveAnalyzer(pool)]);
  const byId = new Map(builds.map((b) => [b.analyzer, b]));
  console.log('analyzer'.padEnd(16) + 'live  build     rows      description');
  for (const [id, analyzer] of analyzers) {
    const build = byId.get(id);
    console.log(
      id.padEnd(16) + (id === live ? '*     ' : '      ') + (build?.status ?? '-').padEnd(10) + String(build?.rows ?? '-').padEnd(10) + analyzer.description,
    );
  }
  for (const build of builds) {
    if (!analyzers.has(build.analyzer)) console.log(`${build.analyzer.padEnd(16)}${build.live ? '*     ' : '      '}${build.status.padEnd(10)}${String(build.rows).padEnd(10)}(not in this build of the service)`);
  }
}

export async function rebuild(pool: pg.Pool, analyzer: Analyzer, scoringThreads?: number): Promise<void> {
  const progress = progressReporter();
  const scoring = createScoringPool(`${analyzer.name}@${analyzer.version}`, scoringThreads);
  let summary;
  try {
    summary = await rebuildFeedback(pool, analyzer, { onProgress: (p) => progress.update(p), score: (rows) => scoring.score(rows), inFlight: scoring.size + 1 });
  } finally {
    progress.end();
    await scoring.close();
  }
  console.log(
    `${summary.analyzer} is live: ${summary.scored} conversations scored from the history and ${summary.events} newer events applied ` +
      `in ${summary.seconds.toFixed(1)} s (${Math.round(summary.perSecond)} conversations/s)`,
  );
}

export async function use(pool: pg.Pool, analyzer: Analyzer): Promise<void> {
  const { events } = await useFeedback(pool, analyzer);
  console.log(`feedback_sessions now serves ${analyzer.name}@${analyzer.version} (caught up ${events} events first)`);
}

export async function drop(pool: pg.Pool, id: string): Promise<void> {
  const { rows } = await dropFeedback(pool, id);
  console.log(`dropped the build of ${id} (${rows} rows)`);
}
