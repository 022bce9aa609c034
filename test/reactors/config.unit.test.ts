import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('reconciliation settings', () => {
  it('default to a sweep a minute, an hour and five minutes after the start, five minutes after an end', () => {
    expect(loadConfig({}).reconcile).toEqual({
      intervalSeconds: 60,
      afterSeconds: 3900,
      transcriptAfterSeconds: 300,
      giveUpAfterSeconds: 7 * 86400,
      ratePerSecond: 2,
      concurrency: 4,
    });
  });

  it('take seconds or units, and 0 turns the sweeper off', () => {
    const config = loadConfig({
      RECONCILE_INTERVAL_S: '0',
      RECONCILE_AFTER_S: '2h',
      RECONCILE_TRANSCRIPT_AFTER_S: '10m',
      RECONCILE_RATE_PER_S: '0.5',
      RECONCILE_CONCURRENCY: '2',
    });
    expect(config.reconcile).toMatchObject({ intervalSeconds: 0, afterSeconds: 7200, transcriptAfterSeconds: 600, ratePerSecond: 0.5, concurrency: 2 });
  });

  it('refuse bad values, naming each', () => {
    const bad = () => loadConfig({ RECONCILE_INTERVAL_S: 'often', RECONCILE_RATE_PER_S: '0', RECONCILE_CONCURRENCY: '100' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/RECONCILE_INTERVAL_S[\s\S]*RECONCILE_RATE_PER_S[\s\S]*RECONCILE_CONCURRENCY/);
  });
});
