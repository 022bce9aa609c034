import { z } from 'zod';
import type { Analyzer } from '../analysis/types.js';
import { turnSchema } from '../events/types.js';
import { score } from '../projections/readModels/feedback.js';
import { readJsonLines } from './jsonLines.js';

// `tavus-feedback analyze`: JSON lines of transcripts in, JSON lines of feedback out, through the
// same scoring function the feedback projection calls.

const inputLine = z.looseObject({
  id: z.union([z.string(), z.number()]),
  transcript: z.array(z.looseObject({ role: z.string(), content: z.string(), timestamp: turnSchema.shape.timestamp })),
  duration: z.number().nullish(),
  context: z.looseObject({ name: z.string().optional(), description: z.string().nullish(), rubric: z.unknown().optional() }).optional(),
});

export async function analyzeLines(analyzer: Analyzer, file: string | undefined, write: (line: string) => void): Promise<number> {
  let count = 0;
  for await (const { line, value } of readJsonLines(file)) {
    const parsed = inputLine.safeParse(value);
    if (!parsed.success) {
      throw new Error(`line ${line}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'} ${i.message}`).join('; ')}`);
    }
    const { id, transcript, duration, context } = parsed.data;
    const row = score(analyzer, {
      conversationId: String(id),
      // As at ingestion: system prompts are instructions to the replica, not part of the talk.
      transcript: transcript.filter((t) => t.role !== 'system'),
      duration: duration ?? null,
      context: context ?? {},
      inputHash: '',
    });
    const analyzerId = `${analyzer.name}@${analyzer.version}`;
    // An analyzer that scores recorded answers (llm@1) has none for a transcript given here: it says so.
    write(
      JSON.stringify(
        row
          ? { id, analyzer: analyzerId, score: row.score, analysis: row.analysis }
          : { id, analyzer: analyzerId, pending: analyzer.pending?.({ transcript }) },
      ),
    );
    count++;
  }
  return count;
}
