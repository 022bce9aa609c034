import { countTokens, decode, encode } from 'gpt-tokenizer/encoding/o200k_base';

// Token counts for the cutting rule and the cost estimate, with o200k_base (the GPT-4o, 4.1 and
// 5 families). Other models' tokenizers differ by some percent, which the budget's margin absorbs.
// Special-token text ("<|endoftext|>") in speech is counted as the plain text it is: the default
// would throw on it, and a transcript must never make prompt building fail.

const asPlainText = { disallowedSpecial: new Set<string>() };

export function tokensOf(text: string): number {
  return countTokens(text, asPlainText);
}

/** The longest start of `text` within `limit` tokens, with no half character at the cut. */
export function firstTokens(text: string, limit: number): string {
  const tokens = encode(text, asPlainText);
  if (tokens.length <= limit) return text;
  return decode(tokens.slice(0, Math.max(0, limit))).replace(/\uFFFD+$/u, '');
}

/** What a chat message costs beyond its text (role and separators), as OpenAI counts it. */
export const TOKENS_PER_MESSAGE = 4;
/** What priming the reply costs once per request. */
export const TOKENS_PER_REQUEST = 3;
