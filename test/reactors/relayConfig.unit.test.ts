import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('KURRENTDB_URL', () => {
  it('is optional: unset or empty means no relay', () => {
    expect(loadConfig({}).kurrentDbUrl).toBeUndefined();
    expect(loadConfig({ KURRENTDB_URL: '  ' }).kurrentDbUrl).toBeUndefined();
  });

  it('takes KurrentDB connection strings, single node or cluster', () => {
    for (const url of ['kurrentdb://127.0.0.1:2113?tls=false', 'kurrentdb+discover://admin:changeit@db1:2113,db2:2113', 'esdb://localhost:2113']) {
      expect(loadConfig({ KURRENTDB_URL: url }).kurrentDbUrl).toBe(url);
    }
  });

  it('refuses anything else, naming the variable', () => {
    for (const url of ['http://127.0.0.1:2113', '127.0.0.1:2113', 'kurrentdb://', 'kurrentdb:// host']) {
      expect(() => loadConfig({ KURRENTDB_URL: url })).toThrow(ConfigError);
      expect(() => loadConfig({ KURRENTDB_URL: url })).toThrow(/KURRENTDB_URL: must be a KurrentDB connection string/);
    }
  });
});
