import { z } from 'zod';

// What llm@1 asks the model to answer: the original design's fields, each strength and area for
// improvement with the quotes that back it. The zod schema validates the answer; the JSON schema
// sent as the structured-output format is generated from it, so the two cannot drift apart.

const score = z.number().int().min(0).max(100).describe('0 to 100: 50 an ordinary attempt, 80 and above skilled, below 30 little of the skill shown');

const feedbackPoint = z.object({
  point: z.string().describe('one sentence addressed to the person ("You ...")'),
  quotes: z.array(z.string()).describe("1 to 3 of the PERSON's exact words that show it, each copied from one line of the transcript"),
});

export const llmAnswerSchema = z.object({
  strengths: z.array(feedbackPoint).describe('2 to 5 things the person did well'),
  areasForImprovement: z.array(feedbackPoint).describe('2 to 5 things the person should do differently'),
  keyInsights: z.array(z.string()).describe('2 to 4 observations about the conversation as a whole'),
  communicationScore: score,
  empathyScore: score,
  problemSolvingScore: score,
  overallScore: score,
});

export type LlmAnswer = z.infer<typeof llmAnswerSchema>;
export type FeedbackPoint = z.infer<typeof feedbackPoint>;

/** The name the structured-output format carries; providers show it in logs and errors. */
export const ANSWER_FORMAT_NAME = 'coaching_feedback';

/**
 * The JSON schema for `response_format: {type: 'json_schema', json_schema: {name, strict, schema}}`.
 * Strict structured output wants every property required and no additional properties, which is
 * what zod's 2020-12 output gives for plain objects; `$schema` is dropped because some
 * OpenAI-compatible servers refuse keywords they do not know at the top.
 */
export function answerJsonSchema(): Record<string, unknown> {
  const schema = { ...(z.toJSONSchema(llmAnswerSchema) as Record<string, unknown>) };
  delete schema.$schema;
  return schema;
}

export interface AnswerFormat {
  type: 'json_schema';
  json_schema: { name: string; strict: true; schema: Record<string, unknown> };
}

export function answerFormat(): AnswerFormat {
  return { type: 'json_schema', json_schema: { name: ANSWER_FORMAT_NAME, strict: true, schema: answerJsonSchema() } };
}

/** Path-named reasons an answer does not fit the schema, for a failure an operator can read. */
export function describeAnswerErrors(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`)
    .join('; ');
}
