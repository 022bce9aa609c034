import { needsAnswer } from '../../analysis/llm/index.js';
import { buildPrompt, type PromptOptions } from '../../analysis/llm/prompt.js';
import type { AnalysisInput } from '../../analysis/types.js';

// What a run of llm@1 over some transcripts would cost, before any call: the prompts are built
// exactly as they would be sent and counted. Pure, so `--dry-run` can show it for a whole history.

export interface RunEstimate {
  transcripts: number;
  /** Transcripts that need a call (the person said something); silence is scored without one. */
  calls: number;
  /** Prompts that had to be cut to the budget. */
  cut: number;
  promptTokens: number;
  /** The ceiling: every answer as long as llm@1 allows (MAX_ANSWER_TOKENS); real ones are shorter. */
  maxCompletionTokens: number;
  /** Present when prices were given: prompt tokens at the input price plus the completion ceiling at the output price. */
  maxCostUsd?: number;
}

export interface Prices {
  /** USD per million tokens. */
  inputPerMillion: number;
  outputPerMillion: number;
}

export function estimateRun(inputs: Iterable<Pick<AnalysisInput, 'transcript' | 'context'>>, options: PromptOptions, prices?: Prices): RunEstimate {
  const estimate: RunEstimate = { transcripts: 0, calls: 0, cut: 0, promptTokens: 0, maxCompletionTokens: 0 };
  for (const input of inputs) {
    estimate.transcripts++;
    if (!needsAnswer(input)) continue;
    const prompt = buildPrompt(input, options);
    estimate.calls++;
    if (prompt.cut) estimate.cut++;
    estimate.promptTokens += prompt.promptTokens;
    estimate.maxCompletionTokens += prompt.maxAnswerTokens;
  }
  if (prices) {
    estimate.maxCostUsd = (estimate.promptTokens * prices.inputPerMillion + estimate.maxCompletionTokens * prices.outputPerMillion) / 1e6;
  }
  return estimate;
}
