import type pg from 'pg';
import { LLM_ANALYZER_ID } from '../analysis/llm/version.js';
import { analyzerId, type Analyzer } from '../analysis/types.js';
import { readAwaitingAnswers } from '../reactors/llmAnalysis/awaitingAnswers.js';
import { countAwaiting } from '../reactors/llmAnalysis/countAwaiting.js';
import { estimateRun, type Prices, type RunEstimate } from '../reactors/llmAnalysis/estimate.js';
import { inputOf } from '../reactors/llmAnalysis/inputOf.js';

// `rebuild feedback --analyzer <id> --dry-run`: what a rebuild would do, changing nothing (no call,
// no write; the read models are read as they are). For llm@1 the prompts of every transcript
// without an answer are built exactly as they would be sent and counted.

const PAGE = 500;

export interface DryRun {
  analyzer: string;
  /** Conversations whose feedback of this version is missing or stale. */
  toScore: number;
  /** llm@1 only: transcripts without an answer that would be asked now, and what that costs. */
  estimate?: RunEstimate;
  /** llm@1 only: transcripts parked after failing, not asked until retried. */
  parked?: number;
}

function sum(a: RunEstimate, b: RunEstimate): RunEstimate {
  const total: RunEstimate = {
    transcripts: a.transcripts + b.transcripts,
    calls: a.calls + b.calls,
    cut: a.cut + b.cut,
    promptTokens: a.promptTokens + b.promptTokens,
    maxCompletionTokens: a.maxCompletionTokens + b.maxCompletionTokens,
  };
  if (a.maxCostUsd !== undefined || b.maxCostUsd !== undefined) total.maxCostUsd = (a.maxCostUsd ?? 0) + (b.maxCostUsd ?? 0);
  return total;
}

export async function dryRunRebuild(pool: pg.Pool, analyzer: Analyzer, options: { maxPromptTokens: number; prices?: Prices }): Promise<DryRun> {
  const id = analyzerId(analyzer);
  const stale = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM feedback_inputs i
       LEFT JOIN feedback_scores s ON s.analyzer = $1 AND s.conversation_id = i.conversation_id
      WHERE s.input_hash IS DISTINCT FROM i.input_hash`,
    [id],
  );
  const result: DryRun = { analyzer: id, toScore: stale.rows[0]!.n };
  if (id !== LLM_ANALYZER_ID) return result;

  let estimate: RunEstimate = estimateRun([], options, options.prices);
  let after: string | undefined;
  for (;;) {
    const rows = await readAwaitingAnswers(pool, { after, limit: PAGE });
    const inputs = rows.map(inputOf);
    estimate = sum(estimate, estimateRun(inputs, options, options.prices));
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.transcript_position;
  }
  return { ...result, estimate, parked: (await countAwaiting(pool)).parked };
}

export function formatDryRun(d: DryRun, maxPromptTokens: number): string {
  const lines = [`dry run: nothing was asked or written`, `${d.analyzer}: ${d.toScore} conversations to score`];
  if (d.estimate) {
    const e = d.estimate;
    lines.push(
      `${e.transcripts} transcripts have no answer yet: ${e.calls} model calls (${e.transcripts - e.calls} where the person never spoke need none)`,
      `prompt tokens: ${e.promptTokens} (o200k_base), ${e.cut} prompts cut to LLM_MAX_PROMPT_TOKENS=${maxPromptTokens}`,
      `completion tokens: at most ${e.maxCompletionTokens} (4,096 an answer; real answers are shorter)`,
    );
    if (e.maxCostUsd !== undefined) lines.push(`cost: at most $${e.maxCostUsd.toFixed(2)} at the prices given`);
    if (d.parked) lines.push(`${d.parked} parked after failing are not counted (tavus-feedback deadletters)`);
  }
  return lines.join('\n');
}
