import { describe, expect, it } from 'vitest';
import { initLiveAnalyzer } from '../../src/projections/runtime/live.js';
import { useTestDatabase } from '../support/db.js';

// Which analyzer a database serves is decided once, by the first instance that starts on it: a
// fresh database takes the one asked for (FEEDBACK_DEFAULT_ANALYZER), a database already serving one
// keeps it whatever a later instance asks (switching is a rebuild's job), and a name this build does
// not know is refused before anything is written.

const fresh = useTestDatabase();
const untouched = useTestDatabase();

async function state(pool: typeof fresh.pool) {
  const live = await pool.query<{ analyzer: string }>('SELECT analyzer FROM feedback_live');
  const builds = await pool.query<{ analyzer: string; status: string }>('SELECT analyzer, status FROM feedback_builds ORDER BY analyzer');
  return { live: live.rows.map((r) => r.analyzer), builds: builds.rows };
}

describe('the live analyzer', () => {
  it('is the one asked for on a fresh database, and stays when another is asked for later', async () => {
    expect(await initLiveAnalyzer(fresh.pool, 'baseline@1')).toBe('baseline@1');
    expect(await state(fresh.pool)).toEqual({ live: ['baseline@1'], builds: [{ analyzer: 'baseline@1', status: 'built' }] });

    // A later instance configured for another analyzer is told what the database serves.
    expect(await initLiveAnalyzer(fresh.pool, 'coach@3')).toBe('baseline@1');
    expect(await state(fresh.pool)).toEqual({ live: ['baseline@1'], builds: [{ analyzer: 'baseline@1', status: 'built' }] });
  });

  it('refuses an analyzer this build does not have, and writes nothing', async () => {
    await expect(initLiveAnalyzer(untouched.pool, 'nope@9')).rejects.toThrow(/unknown analyzer nope@9/);
    expect(await state(untouched.pool)).toEqual({ live: [], builds: [] });
    // Nor on a database that serves one already.
    await expect(initLiveAnalyzer(fresh.pool, 'coach@99')).rejects.toThrow(/unknown analyzer coach@99/);
    expect((await state(fresh.pool)).live).toEqual(['baseline@1']);
  });
});
