import { z } from 'zod';
import { SCORE_NAMES, evaluateAnalyzer, type Evaluation, type EvaluationRow } from '../analysis/evaluate.js';
import { analyzers } from '../analysis/registry.js';
import type { Analyzer } from '../analysis/types.js';
import type { LlmConfig } from '../config.js';
import { readsRecordings } from '../projections/readModels/feedback.js';
import { readJsonLines } from './jsonLines.js';

// `tavus-feedback evaluate`: how well each analyzer's scores separate conversations experts rated
// high from those rated low (AUC: 0.5 is chance, 1 is perfect), per score.

const labelled = z.looseObject({
  transcript: z.array(z.looseObject({ role: z.string(), content: z.string(), timestamp: z.union([z.string(), z.number()]).nullish() })),
  duration: z.number().nullish(),
  quality: z.enum(['high', 'low']),
});

export async function readLabelled(file: string): Promise<EvaluationRow[]> {
  const rows: EvaluationRow[] = [];
  for await (const { line, value } of readJsonLines(file)) {
    const parsed = labelled.safeParse(value);
    if (!parsed.success) throw new Error(`${file}:${line}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'} ${i.message}`).join('; ')}`);
    rows.push({ transcript: parsed.data.transcript.filter((t) => t.role !== 'system'), duration: parsed.data.duration ?? null, quality: parsed.data.quality });
  }
  if (!rows.some((r) => r.quality === 'high') || !rows.some((r) => r.quality === 'low')) {
    throw new Error(`${file}: needs conversations labelled both high and low to compute an AUC`);
  }
  return rows;
}

export function formatEvaluations(evaluations: Evaluation[]): string {
  const first = evaluations[0]!;
  const lines = [`${first.rows} conversations: ${first.high} rated high, ${first.low} rated low`, ''];
  lines.push('analyzer'.padEnd(16) + 'score'.padEnd(22) + 'AUC'.padEnd(8) + 'mean high'.padEnd(11) + 'mean low');
  for (const e of evaluations) {
    for (const name of SCORE_NAMES) {
      lines.push(
        e.analyzer.padEnd(16) + name.padEnd(22) + e.auc[name].toFixed(3).padEnd(8) + e.means.high[name].toFixed(1).padEnd(11) + e.means.low[name].toFixed(1),
      );
    }
  }
  return lines.join('\n');
}

/** Without --analyzer: every analyzer that needs no model call (llm@1 costs calls, so it is named to run). */
export function defaultEvaluated(): Analyzer[] {
  return [...analyzers.values()].filter((a) => !readsRecordings(a));
}

export async function evaluate(
  analyzers: Analyzer[],
  file: string,
  asJson: boolean,
  llm: { config: LlmConfig | null; recordings?: string } = { config: null },
): Promise<void> {
  const rows = await readLabelled(file);
  const evaluations: Evaluation[] = [];
  for (const a of analyzers) {
    // An analyzer that scores recorded answers (llm@1) gets them first: from the file, or asked.
    evaluations.push(
      evaluateAnalyzer(a, readsRecordings(a) ? await (await import('./evaluateLlm.js')).withLlmAnswers(rows, llm.config, llm.recordings) : rows),
    );
  }
  console.log(asJson ? JSON.stringify(evaluations, null, 2) : formatEvaluations(evaluations));
}
