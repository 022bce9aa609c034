import { appendFile, readFile } from 'node:fs/promises';
import type { EvaluationRow } from '../analysis/evaluate.js';
import { needsAnswer } from '../analysis/llm/index.js';
import { buildPrompt } from '../analysis/llm/prompt.js';
import { LLM_ANALYZER_ID } from '../analysis/llm/version.js';
import type { RecordedAnswer } from '../analysis/types.js';
import type { LlmConfig } from '../config.js';
import { createLlmClient, type LlmRecording } from '../reactors/llmAnalysis/client.js';
import { estimateRun } from '../reactors/llmAnalysis/estimate.js';

// `evaluate --analyzer llm@1`: labelled transcripts are not conversations in the history, so their
// answers are kept in a file of their own (`--recordings FILE`, JSON lines of recordings, keyed by
// the prompt's sha256). What the file holds is replayed; what it lacks is asked of the configured
// model and appended to it as each answer comes, so a second run makes no call and gives the same
// AUCs. Without LLM_MODEL, every transcript must have its answer in the file.

export class EvaluationInputError extends Error {
  override name = 'EvaluationInputError';
}

const DEFAULT_PROMPT_TOKENS = 16_000;

async function readRecordings(file: string | undefined): Promise<Map<string, LlmRecording>> {
  const byPrompt = new Map<string, LlmRecording>();
  if (!file) return byPrompt;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return byPrompt; // a first run creates it
    throw err;
  }
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: LlmRecording;
    try {
      r = JSON.parse(line) as LlmRecording;
    } catch {
      throw new EvaluationInputError(`${file}:${i + 1}: not JSON`);
    }
    if (r.analyzer === LLM_ANALYZER_ID && typeof r.promptSha256 === 'string') byPrompt.set(r.promptSha256, r);
  });
  return byPrompt;
}

/** The rows with their llm@1 answers, asking the model for the ones not yet recorded. */
export async function withLlmAnswers(
  rows: EvaluationRow[],
  llm: LlmConfig | null,
  recordingsFile: string | undefined,
  say: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<EvaluationRow[]> {
  const options = { maxPromptTokens: llm?.maxPromptTokens ?? DEFAULT_PROMPT_TOKENS };
  const recorded = await readRecordings(recordingsFile);
  const models = new Set([...recorded.values()].map((r) => r.model));
  if (llm && [...models].some((m) => m !== llm.model)) {
    throw new EvaluationInputError(
      `${recordingsFile} holds answers from ${[...models].join(', ')}, not LLM_MODEL ${llm.model}: another model is another version; use another file`,
    );
  }
  const prompts = rows.map((r) => (needsAnswer(r) ? buildPrompt(r, options) : null));
  const missing = prompts.flatMap((p, i) => (p && !recorded.has(p.sha256) ? [i] : []));
  if (missing.length > 0) {
    if (!llm) {
      throw new EvaluationInputError(
        `${missing.length} of ${rows.length} transcripts have no ${LLM_ANALYZER_ID} answer${recordingsFile ? ` in ${recordingsFile}` : ''}: ` +
          'set LLM_MODEL (and LLM_BASE_URL, LLM_API_KEY) to ask for them, and --recordings FILE to keep them',
      );
    }
    const estimate = estimateRun(
      missing.map((i) => rows[i]!),
      options,
    );
    say(
      `asking ${llm.model} about ${missing.length} transcripts (${estimate.promptTokens} prompt tokens)${recordingsFile ? `, keeping the answers in ${recordingsFile}` : '; pass --recordings FILE to keep the answers'}`,
    );
    const client = createLlmClient(llm);
    const failures: string[] = [];
    await Promise.all(
      missing.map(async (i) => {
        const outcome = await client.analyze(prompts[i]!);
        if (!outcome.ok) return failures.push(`${outcome.failure.kind}: ${outcome.failure.message}`);
        recorded.set(outcome.recording.promptSha256, outcome.recording);
        if (recordingsFile) await appendFile(recordingsFile, `${JSON.stringify(outcome.recording)}\n`);
      }),
    );
    if (failures.length > 0) {
      // Scoring without them would bias the AUC; what was answered is kept for the next run.
      throw new EvaluationInputError(`${failures.length} transcripts got no answer (first: ${failures[0]}); run again to ask for them`);
    }
  }
  return rows.map((row, i) => {
    const recording = prompts[i] ? recorded.get(prompts[i].sha256) : undefined;
    const recordings: RecordedAnswer[] = recording ? [recording] : [];
    return { ...row, recordings };
  });
}
