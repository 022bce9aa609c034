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
});
