import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { createTestDatabase } from '../support/db.js';

// The service's connections run without parallel query (see PoolOptions.parallelQuery); others keep
// the server's setting.

let database: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('database pools', () => {
  it('turn parallel query off only when asked', async () => {
    const serial = createPool(database.url, { parallelQuery: false });
    const plain = createPool(database.url);
    try {
      const setting = `SELECT setting, source FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'`;
      expect((await serial.query(setting)).rows[0]).toEqual({ setting: '0', source: 'client' });
      expect((await plain.query(setting)).rows[0].source).not.toBe('client');
    } finally {
      await Promise.all([serial.end(), plain.end()]);
    }
  });

  it('turn JIT off only when asked, together with parallel query', async () => {
    const relay = createPool(database.url, { parallelQuery: false, jit: false });
    const plain = createPool(database.url);
    try {
      const settings = `SELECT name, setting, source FROM pg_settings WHERE name IN ('jit', 'max_parallel_workers_per_gather') ORDER BY name`;
      expect((await relay.query(settings)).rows).toEqual([
        { name: 'jit', setting: 'off', source: 'client' },
        { name: 'max_parallel_workers_per_gather', setting: '0', source: 'client' },
      ]);
      expect((await plain.query(settings)).rows.map((r) => r.source)).not.toContain('client');
    } finally {
      await Promise.all([relay.end(), plain.end()]);
    }
  });
});
