import type pg from 'pg';
import type { Keyring } from '../privacy/keyring.js';
import { analyzers, findAnalyzer } from '../analysis/registry.js';
import type { Analyzer } from '../analysis/types.js';
import { listBuilds } from '../projections/builds/builds.js';
import { readLiveAnalyzer } from '../projections/runtime/live.js';
import { dropFeedback, rebuildFeedback, useFeedback } from '../projections/builds/rebuild.js';
import { createScoringPool } from '../projections/builds/scoringPool.js';
import { progressReporter } from './progress.js';
import { UsageError } from './usage.js';
import { LLM_ANALYZER_ID } from '../analysis/llm/version.js';
import type { Config, LlmConfig } from '../config.js';
import { readsRecordings } from '../projections/readModels/feedback.js';
import type { Prices } from '../reactors/llmAnalysis/estimate.js';

export function analyzerOrFail(id: string): Analyzer {
  const analyzer = findAnalyzer(id);
  if (!analyzer) throw new UsageError(`unknown analyzer ${id}; known: ${[...analyzers.keys()].join(', ')}`);
  return analyzer;
}

export async function printAnalyzers(pool: pg.Pool, config: Pick<Config, 'llm'>): Promise<void> {
  const [builds, live] = await Promise.all([listBuilds(pool), readLiveAnalyzer(pool)]);
  const byId = new Map(builds.map((b) => [b.analyzer, b]));
  console.log('analyzer'.padEnd(16) + 'live  build     rows      description');
  for (const [id, analyzer] of analyzers) {
    const build = byId.get(id);
    console.log(
      id.padEnd(16) +
        (id === live ? '*     ' : '      ') +
        (build?.status ?? '-').padEnd(10) +
        String(build?.rows ?? '-').padEnd(10) +
        analyzer.description +
        llmNote(id, config),
    );
  }
  for (const build of builds) {
    if (!analyzers.has(build.analyzer))
      console.log(
        `${build.analyzer.padEnd(16)}${build.live ? '*     ' : '      '}${build.status.padEnd(10)}${String(build.rows).padEnd(10)}(not in this build of the service)`,
      );
  }
}

/** What `analyzers` says of llm@1 beside its description: which model it asks, or that it asks none. */
function llmNote(id: string, config: Pick<Config, 'llm'>): string {
  if (id !== LLM_ANALYZER_ID) return '';
  return config.llm
    ? ` (asks ${config.llm.model} at ${config.llm.baseUrl})`
    : ' (not configured: set LLM_MODEL to ask a model; answers already recorded still replay)';
}

export function pricesOf(input: string | undefined, output: string | undefined): Prices | undefined {
  if (input === undefined && output === undefined) return undefined;
  const inputPerMillion = Number(input);
  const outputPerMillion = Number(output);
  if (!(inputPerMillion >= 0) || !(outputPerMillion >= 0))
    throw new UsageError('--input-price and --output-price go together: USD per million tokens, e.g. 2.5 and 10');
  return { inputPerMillion, outputPerMillion };
}

export async function dryRun(pool: pg.Pool, analyzer: Analyzer, config: Pick<Config, 'llm'>, prices?: Prices): Promise<void> {
  const maxPromptTokens = config.llm?.maxPromptTokens ?? 16_000;
  // Loaded only here: the tokenizer's tables are megabytes no other command needs.
  const { dryRunRebuild, formatDryRun } = await import('./dryRun.js');
  console.log(formatDryRun(await dryRunRebuild(pool, analyzer, { maxPromptTokens, prices }), maxPromptTokens));
}

export async function rebuild(pool: pg.Pool, keyring: Keyring, analyzer: Analyzer, scoringThreads?: number, llm: LlmConfig | null = null): Promise<void> {
  // llm@1 scores answers recorded in the history: the missing ones are asked for first.
  const parked = readsRecordings(analyzer) ? (await (await import('./llmRebuild.js')).askBeforeRebuild(pool, keyring, llm)).parked : 0;
  const progress = progressReporter();
  const scoring = createScoringPool(`${analyzer.name}@${analyzer.version}`, scoringThreads);
  let summary;
  try {
    summary = await rebuildFeedback(pool, analyzer, {
      onProgress: (p) => progress.update(p),
      score: (rows) => scoring.score(rows),
      inFlight: scoring.size + 1,
    });
  } finally {
    progress.end();
    await scoring.close();
  }
  console.log(
    `${summary.analyzer} is live: ${summary.scored} conversations scored from the history and ${summary.events} newer events applied ` +
      `in ${summary.seconds.toFixed(1)} s (${Math.round(summary.perSecond)} conversations/s)`,
  );
  if (parked > 0) console.log(`${parked} conversations have no feedback yet: the model kept failing for them (tavus-feedback deadletters)`);
}

export async function use(pool: pg.Pool, analyzer: Analyzer): Promise<void> {
  const { events } = await useFeedback(pool, analyzer);
  console.log(`feedback_sessions now serves ${analyzer.name}@${analyzer.version} (caught up ${events} events first)`);
}

export async function drop(pool: pg.Pool, id: string): Promise<void> {
  const { rows } = await dropFeedback(pool, id);
  console.log(`dropped the build of ${id} (${rows} rows)`);
}
