import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYZER } from '../src/analysis/registry.js';
import { ConfigError, loadConfig } from '../src/config.js';

// The settings of users' tokens, rate limits and Tavus property caps: defaults, and bad values named.

describe('configuration of auth, rate limits and caps', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      authJwtAudience: 'authenticated',
      authJwksUrl: undefined,
      authJwksCooldownMs: 30_000,
      authJwksCacheMaxAgeMs: 600_000,
      rateLimit: { windowMs: 60_000, perUser: 120, perAddress: 600 },
      trustProxyHops: 0,
      conversationCaps: { maxCallDurationSeconds: 1800, allowRecording: false },
    });
  });

  it('reads each of them', () => {
    const config = loadConfig({
      AUTH_JWT_AUDIENCE: 'practice-app',
      AUTH_JWKS_URL: 'https://project.supabase.co/auth/v1/.well-known/jwks.json',
      AUTH_JWKS_COOLDOWN: '0',
      AUTH_JWKS_CACHE_MAX_AGE: '1h',
      RATE_LIMIT_WINDOW: '30s',
      RATE_LIMIT_PER_USER: '10',
      RATE_LIMIT_PER_ADDRESS: '50',
      TRUST_PROXY: '1',
      TAVUS_MAX_CALL_DURATION: '1h',
      TAVUS_ALLOW_RECORDING: 'true',
    });
    expect(config).toMatchObject({
      authJwtAudience: 'practice-app',
      authJwksUrl: 'https://project.supabase.co/auth/v1/.well-known/jwks.json',
      authJwksCooldownMs: 0,
      authJwksCacheMaxAgeMs: 3_600_000,
      rateLimit: { windowMs: 30_000, perUser: 10, perAddress: 50 },
      trustProxyHops: 1,
      conversationCaps: { maxCallDurationSeconds: 3600, allowRecording: true },
    });
  });

  it.each([
    ['AUTH_JWKS_URL', 'file:///etc/keys.json'],
    ['AUTH_JWT_AUDIENCE', ' '],
    ['AUTH_JWKS_COOLDOWN', 'soon'],
    ['RATE_LIMIT_WINDOW', '0'],
    ['RATE_LIMIT_PER_USER', '0'],
    ['RATE_LIMIT_PER_ADDRESS', 'many'],
    ['TRUST_PROXY', 'yes'],
    ['TAVUS_MAX_CALL_DURATION', '30'],
    ['TAVUS_MAX_CALL_DURATION', '90.5'],
    ['TAVUS_ALLOW_RECORDING', 'on'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: `));
  });
});

describe('the analyzer a fresh database serves', () => {
  it('is the build default unless FEEDBACK_DEFAULT_ANALYZER names another', () => {
    expect(loadConfig({})).toMatchObject({ defaultAnalyzer: DEFAULT_ANALYZER, defaultAnalyzerFrom: 'default', warnings: [] });
    expect(loadConfig({ FEEDBACK_DEFAULT_ANALYZER: 'baseline@1' })).toMatchObject({
      defaultAnalyzer: 'baseline@1',
      defaultAnalyzerFrom: 'FEEDBACK_DEFAULT_ANALYZER',
      warnings: [],
    });
  });

  it('still reads the deprecated ANALYZER, with a warning, and ignores it beside the new key', () => {
    const alone = loadConfig({ ANALYZER: 'coach@2' });
    expect(alone).toMatchObject({ defaultAnalyzer: 'coach@2', defaultAnalyzerFrom: 'ANALYZER' });
    expect(alone.warnings).toEqual([expect.stringMatching(/^ANALYZER is deprecated: rename it to FEEDBACK_DEFAULT_ANALYZER/)]);
    const both = loadConfig({ ANALYZER: 'coach@2', FEEDBACK_DEFAULT_ANALYZER: 'baseline@1' });
    expect(both).toMatchObject({ defaultAnalyzer: 'baseline@1', defaultAnalyzerFrom: 'FEEDBACK_DEFAULT_ANALYZER' });
    expect(both.warnings).toEqual([expect.stringMatching(/^ANALYZER is deprecated and ignored/)]);
  });

  it.each(['FEEDBACK_DEFAULT_ANALYZER', 'ANALYZER'])('refuses %s that is not name@version, naming it', (name) => {
    expect(() => loadConfig({ [name]: 'coach' })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: must look like name@version`));
  });
});
