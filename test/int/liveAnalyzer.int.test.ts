import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { initLiveAnalyzer, readLiveAnalyzer } from '../../src/projections/runtime/live.js';
import { createTestDatabase } from '../support/db.js';

// Which analyzer a database serves is chosen once, when it is fresh: a new default in a later
// release (or another ANALYZER) must not switch a database that already serves something, since
// switching is a rebuild and a `feedback use`, never a restart.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url);
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('the live analyzer of a database', () => {
  it('is the one asked for when the database is fresh, and stays when another is asked for later', async () => {
    expect(await readLiveAnalyzer(pool)).toBeUndefined();
    expect(await initLiveAnalyzer(pool, 'baseline@1')).toBe('baseline@1');
    expect(await initLiveAnalyzer(pool, 'coach@2')).toBe('baseline@1');
    expect(await readLiveAnalyzer(pool)).toBe('baseline@1');
    const builds = await pool.query<{ analyzer: string }>('SELECT analyzer FROM feedback_builds ORDER BY analyzer');
    expect(builds.rows.map((r) => r.analyzer)).toEqual(['baseline@1']);
  });

  it('refuses an analyzer this build does not have, changing nothing', async () => {
    await expect(initLiveAnalyzer(pool, 'nosuch@9')).rejects.toThrow('unknown analyzer nosuch@9');
    expect(await readLiveAnalyzer(pool)).toBe('baseline@1');
  });
});
