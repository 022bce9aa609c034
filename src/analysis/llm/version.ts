// llm@1 is one prompt (prompt.ts), one answer schema (answer.ts), one cutting rule and one way of
// reading the answer (index.ts). Changing any of them, or the model it is pointed at, makes
// answers that are not comparable with the recorded ones: that is llm@2, never an edit of llm@1.
export const LLM_ANALYZER = { name: 'llm', version: 1 } as const;

export const LLM_ANALYZER_ID = `${LLM_ANALYZER.name}@${LLM_ANALYZER.version}`;

/** Upper bound on the answer's length asked of the model; part of the version (it shapes answers). */
export const MAX_ANSWER_TOKENS = 4096;
