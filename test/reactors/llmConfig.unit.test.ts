import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('LLM configuration', () => {
  it('leaves llm@1 unconfigured without LLM_MODEL', () => {
    expect(loadConfig({}).llm).toBeNull();
    expect(loadConfig({ LLM_API_KEY: 'sk-x' }).llm).toBeNull();
  });

  it('reads the endpoint, the model and the limits, with defaults', () => {
    expect(loadConfig({ LLM_MODEL: 'gpt-4o-mini', LLM_API_KEY: 'sk-x' }).llm).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-x',
      model: 'gpt-4o-mini',
      concurrency: 4,
      requestsPerSecond: 2,
      maxPromptTokens: 16_000,
      timeoutMs: 60_000,
    });
    expect(
      loadConfig({
        LLM_MODEL: 'llama3.1',
        LLM_BASE_URL: 'http://127.0.0.1:11434/v1/',
        LLM_CONCURRENCY: '2',
        LLM_REQUESTS_PER_SECOND: '0.5',
        LLM_MAX_PROMPT_TOKENS: '8000',
        LLM_TIMEOUT_S: '120',
      }).llm,
    ).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'llama3.1',
      concurrency: 2,
      requestsPerSecond: 0.5,
      maxPromptTokens: 8000,
      timeoutMs: 120_000,
    });
  });

  it('names each bad value', () => {
    const bad = (env: NodeJS.ProcessEnv, name: string) => expect(() => loadConfig(env)).toThrow(new RegExp(`${name}`));
    bad({ LLM_MODEL: 'm', LLM_BASE_URL: 'ftp://x' }, 'LLM_BASE_URL');
    bad({ LLM_MODEL: 'm', LLM_API_KEY: 'k', LLM_CONCURRENCY: '0' }, 'LLM_CONCURRENCY');
    bad({ LLM_MODEL: 'm', LLM_API_KEY: 'k', LLM_REQUESTS_PER_SECOND: '-1' }, 'LLM_REQUESTS_PER_SECOND');
    bad({ LLM_MODEL: 'm', LLM_API_KEY: 'k', LLM_MAX_PROMPT_TOKENS: '1000' }, 'LLM_MAX_PROMPT_TOKENS');
    bad({ LLM_MODEL: 'm', LLM_API_KEY: 'k', LLM_TIMEOUT_S: 'soon' }, 'LLM_TIMEOUT_S');
    expect(() => loadConfig({ LLM_MODEL: 'gpt-4o-mini' })).toThrow(ConfigError);
    bad({ LLM_MODEL: 'gpt-4o-mini' }, 'LLM_API_KEY: required');
  });
});
