import type { ChatCompletion } from 'openai/resources/chat/completions';
import { describeAnswerErrors, llmAnswerSchema, type LlmAnswer } from '../../analysis/llm/answer.js';
import type { AttemptFailure } from './failures.js';

// A completion is an answer only if it is JSON that fits llm@1's schema. Structured output should
// guarantee that, but not every OpenAI-compatible server enforces the schema, and any model can
// stop at the token limit mid-object or decline.

export type ReadAnswer = { ok: true; answer: LlmAnswer } | { ok: false; failure: AttemptFailure };

const invalid = (message: string): ReadAnswer => ({ ok: false, failure: { kind: 'invalid-answer', retryable: false, message } });

export function readAnswer(completion: ChatCompletion): ReadAnswer {
  const choice = completion.choices?.[0];
  if (!choice) return invalid('the answer has no choices');
  const { message } = choice;
  if (message?.refusal) return { ok: false, failure: { kind: 'refused', retryable: false, message: `the model declined: ${message.refusal}` } };
  if (choice.finish_reason === 'content_filter')
    return { ok: false, failure: { kind: 'refused', retryable: false, message: 'a content filter stopped the answer' } };
  if (choice.finish_reason === 'length') return invalid('the answer was cut at the token limit');
  const content = message?.content;
  if (typeof content !== 'string' || content.trim() === '') return invalid('the answer is empty');
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return invalid(`the answer is not JSON: ${content.slice(0, 80)}`);
  }
  const parsed = llmAnswerSchema.safeParse(json);
  if (!parsed.success) return invalid(`the answer does not fit the schema: ${describeAnswerErrors(parsed.error)}`);
  return { ok: true, answer: parsed.data };
}
